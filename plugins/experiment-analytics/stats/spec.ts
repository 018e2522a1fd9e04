import { field } from 'sluice/api';
import type { Infer } from 'sluice/api';

/**
 * `experiment_stats` config. Everything statistical (α, N*, groups, control, planned weights,
 * directions) comes from the experiment metadata, fixed before launch; the config only says
 * how long state lives and how long a counts row waits for its metadata.
 */
export const statsSpec = field.object({
  allowed_lateness: field.duration({
    doc:
      'State of an (experiment, epoch, segment) is kept until the watermark reaches the epoch end + this; a counts row of an ' +
      'epoch already closed goes to the late output (reason `epoch_closed`). Keep it ≥ the counts operator\'s allowed lateness.',
    default: '10m',
    min: 0,
  }),
  metadata_max_wait: field.duration({
    doc:
      'A counts row whose experiment (or segment) has no metadata yet is buffered in keyed state until the metadata arrives; once ' +
      'the watermark reaches its time + this, it is dead-lettered with reason `unknown_experiment` (or `unknown_segment`).',
    default: '1h',
    min: 0,
  }),
  srm_concentration: field.number({
    doc: 'Prior concentration c of the sequential SRM test (Dirichlet prior a = c·p0; Optimizely\'s default 10,000).',
    default: 10_000,
    min: 1,
  }),
});

export type StatsConfig = Infer<typeof statsSpec>;
