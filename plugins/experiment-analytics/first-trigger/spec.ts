import { field } from 'sluice/api';

/** Options of `first_trigger` (passed under `keyed_process.options`). */
export const firstTriggerOptions = field.object({
  metadata_field: field.string({
    doc: 'Field of each activation holding its experiment metadata (what the upstream `broadcast` attached).',
    default: 'metadata',
  }),
  allowed_lateness: field.duration({
    doc: "How long after an epoch's end its state is kept (the pipeline's allowed lateness): activations of the epoch can still arrive until then.",
    default: '10m',
    min: 0,
  }),
});

export interface FirstTriggerOptions {
  readonly metadata_field?: string;
  readonly allowed_lateness?: string | number;
}
