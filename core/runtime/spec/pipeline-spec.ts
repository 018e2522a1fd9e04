/**
 * The pipeline file's own keys (docs/architecture.md §11), as field specs so they are validated,
 * hinted and documented like plugin configs. Blocks (one plugin key each) are read by
 * `blocks.ts`; here are only their block-level settings.
 */
import { field } from '../../api/index.ts';
import type { PluginKind } from '../../api/index.ts';

export const SNAKE_CASE = '^[a-z][a-z0-9_]*$';

const blockMap = (doc: string) => field.map(field.any({ doc: 'A block: one plugin key plus block-level keys.' }), { doc, optional: true });

export const profileSpec = field.object(
  {
    sources: blockMap('Sources this profile replaces (same id) or adds.'),
    sinks: blockMap('Sinks this profile replaces (same id) or adds.'),
    late: field.any({ doc: 'The late output under this profile.', optional: true }),
    dead_letter: field.any({ doc: 'The dead-letter output under this profile.', optional: true }),
    plugins: field.array(field.string({ doc: 'An npm package name.' }), { doc: 'Extra npm packages this profile needs.', optional: true }),
  },
  { doc: 'A profile swaps sources, sinks and outputs; the operator chain stays one definition.' },
);

export const pipelineSpec = field.object({
  name: field.string({ doc: 'The job name (snake_case); also the tracing service name.', pattern: SNAKE_CASE, example: 'orders_enriched' }),
  description: field.string({ doc: 'What the pipeline does, for people.', optional: true }),
  plugins: field.array(field.string({ doc: 'An npm package name.' }), {
    doc: 'npm packages to load besides the built-in plugins.',
    optional: true,
    example: ['sluice-plugin-geo'],
  }),
  sources: blockMap('Sources by id: `<id>: { <plugin>: {...}, event_time: {...}, codec }`.'),
  operators: blockMap('Operators by id: `<id>: { input: <id or [ids]>, <plugin>: {...} }`.'),
  sinks: blockMap('Sinks by id: `<id>: { input: <id>, <plugin>: {...}, codec }`.'),
  late: field.any({ doc: 'Where records later than allowed go: one sink plugin key (+ codec).', optional: true }),
  dead_letter: field.any({ doc: 'Where records that failed go, with the error: one sink plugin key (+ codec).', optional: true }),
  profiles: field.map(profileSpec, { doc: 'Named profiles (e.g. embedded, production); `--profile` picks one, the first by default.', optional: true }),
});

export const codecSpec = field.enum(['json', 'raw'], { doc: 'How records are encoded.', default: 'json' });

export const eventTimeSpec = field.object(
  {
    field: field.string({ doc: "Field holding the event time (epoch ms or ISO-8601); absent: the source's own times.", optional: true }),
    max_out_of_orderness: field.duration({ doc: 'Bounded out-of-orderness of the watermark: W = max_ts − this − 1 ms.', default: '0', min: 0 }),
    max_future: field.duration({
      doc: 'A record whose event time is more than this ahead of the wall clock is dead-lettered (reason `event_time_in_future`) instead of moving the watermark there. A very large value (`100000w`) turns the check off.',
      default: '1h',
      min: 0,
    }),
    idle_timeout: field.duration({ doc: 'A partition quiet this long stops holding back the watermark; absent: never idle.', optional: true, min: 1 }),
    alignment: field.object(
      {
        max_drift: field.duration({ doc: "How far a partition's watermark may run ahead of the group's minimum watermark before the partition is paused.", example: '1m', min: 0 }),
        group: field.string({ doc: 'Alignment group: sources naming the same group share one minimum.', default: 'default', minLength: 1 }),
        update_interval: field.duration({
          doc: "How often the group's minimum is recomputed (processing time); 0: after every poll. Partitions are checked against the last minimum after every poll.",
          default: '0',
          min: 0,
        }),
      },
      { doc: "Watermark alignment (Flink's): a partition whose watermark is more than `max_drift` ahead of the minimum over the group's non-idle partitions is not read until the minimum catches up. Needs `idle_timeout`.", optional: true },
    ),
  },
  { doc: 'How the source assigns event time and generates watermarks.', default: {} },
);

/** Block-level keys per section, beside the one plugin key. `input` is read by hand. */
export const blockSettings = {
  sources: field.object({ event_time: eventTimeSpec, codec: codecSpec }),
  operators: field.object({}),
  sinks: field.object({ codec: codecSpec }),
  late: field.object({ codec: codecSpec }),
  dead_letter: field.object({ codec: codecSpec }),
} as const;

export type BlockSection = keyof typeof blockSettings;

/** Keys of a block that are not its plugin key. */
export const BLOCK_KEYS: Record<BlockSection, readonly string[]> = {
  sources: ['event_time', 'codec'],
  operators: ['input'],
  sinks: ['input', 'codec'],
  late: ['codec'],
  dead_letter: ['codec'],
};

export const SECTION_KIND: Record<BlockSection, PluginKind> = {
  sources: 'source',
  operators: 'operator',
  sinks: 'sink',
  late: 'sink',
  dead_letter: 'sink',
};
