import { field } from '../../core/api/index.ts';

const size = (doc: string) => field.duration({ doc, min: 1 });
const offset = field.duration({ doc: 'Shifts window alignment from the epoch (e.g. `-8h` for days in UTC−8).', default: '0s' });
const fieldName = (doc: string) => field.string({ doc });

const window = field.union(
  [
    field.object({
      tumbling: field.union([size('Window size.'), field.object({ size: size('Window size.'), offset })], {
        doc: 'Fixed, non-overlapping windows aligned to the epoch (+ offset): a duration, or `{size, offset}`.',
        example: '1m',
      }),
    }),
    field.object({
      sliding: field.object({ size: size('Window size.'), slide: size('Distance between window starts.'), offset }, { doc: 'Overlapping windows of `size` starting every `slide`.' }),
    }),
    field.object({
      session: field.object(
        { gap: size('Longest time between two records of one session; a session ends `gap` after its last record.') },
        {
          doc:
            'Per-key sessions: a record at t opens [t, t + gap), and windows that overlap or touch merge (as Flink\'s), so records ' +
            'at most `gap` apart form one session: window_start is its first record\'s time, window_end its last record\'s + gap.',
        },
      ),
    }),
    field.object({
      cumulate: field.object(
        { step: size('Distance between firings.'), max_size: size('Window size; a multiple of `step`.'), offset },
        { doc: "Flink's CUMULATE: windows aligned like tumbling windows of `max_size`, firing at every `step` with window_end at the step's end." },
      ),
    }),
  ],
  { doc: 'The window: `{tumbling: d}`, `{sliding: {size, slide}}`, `{session: {gap}}` or `{cumulate: {step, max_size}}`.', example: { tumbling: '1m' } },
);

const numeric = (name: string, doc: string) => field.object({ [name]: fieldName(doc) } as Record<string, ReturnType<typeof fieldName>>);

const aggregate = field.union(
  [
    field.enum(['count'], { doc: 'Number of records.' }),
    numeric('sum', 'Sum of a numeric field (null/missing skipped; 0 when none).'),
    numeric('min', 'Smallest value of a numeric field (null when none).'),
    numeric('max', 'Largest value of a numeric field (null when none).'),
    numeric('avg', 'Mean of a numeric field (null when none).'),
    numeric('distinct', 'Exact number of distinct values of a field (kept as a set: mind the memory).'),
    field.object({
      approx_distinct: field.union(
        [
          fieldName('Field whose distinct values are estimated (HyperLogLog, 4096 registers: ≈1.6% error).'),
          field.object({
            field: fieldName('Field whose distinct values are estimated.'),
            precision: field.integer({ doc: 'log2 of the register count (4–16); error ≈ 1.04/√2^precision; 2^precision bytes per window.', default: 12, min: 4, max: 16 }),
          }),
        ],
        { doc: 'Approximate distinct count (HyperLogLog, `hyperlolo`): a field name, or `{field, precision}`.' },
      ),
    }),
    field.object({
      quantiles: field.object(
        {
          field: fieldName('Numeric field.'),
          q: field.array(field.number({ doc: 'A quantile in [0, 1].', min: 0, max: 1 }), { doc: 'Quantiles to report.', minItems: 1, example: [0.5, 0.99] }),
          relative_accuracy: field.number({ doc: 'Relative error bound of the DDSketch.', default: 0.01, min: 0.0001, max: 0.5 }),
        },
        { doc: 'Approximate quantiles (DDSketch, `@datadog/sketches-js`), output as `{p50: …, p99: …}`.' },
      ),
    }),
  ],
  { doc: '`count`, `{sum: f}`, `{min: f}`, `{max: f}`, `{avg: f}`, `{distinct: f}`, `{approx_distinct: f}` or `{quantiles: {field, q}}`.' },
);

export const windowAggregateSpec = field.object({
  key: field.union([field.string({ doc: 'A key field.' }), field.array(field.string({ doc: 'A key field.' }), { doc: 'Key fields.', minItems: 1 })], {
    doc: 'Field(s) the aggregate groups by; they are copied to the output row, so none may be named `window_start` or `window_end`.',
    example: ['experiment_id', 'group'],
  }),
  window,
  allowed_lateness: field.duration({
    doc: 'How long after a window fired late records still update it (re-emitted as `update`); state is kept until window_end − 1 + allowed_lateness.',
    default: '0s',
    min: 0,
  }),
  aggregates: field.map(aggregate, { doc: 'Named aggregates: output field → aggregate function.', keyPattern: '^[A-Za-z_][A-Za-z0-9_]*$', example: { orders: 'count', total: { sum: 'amount' } } }),
});
