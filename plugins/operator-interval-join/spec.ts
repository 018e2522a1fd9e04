import { field } from '../../core/api/index.ts';

export const intervalJoinSpec = field.object({
  key: field.union(
    [
      field.string({ doc: 'One field name both sides share.' }),
      field.object({
        left: field.string({ doc: 'Key field of the left (first) input.' }),
        right: field.string({ doc: 'Key field of the right (second) input.' }),
      }),
    ],
    { doc: 'Join key: one field name when both sides share it, or `{left, right}` naming it per side.', example: { left: 'user_id', right: 'uid' } },
  ),
  lower: field.duration({ doc: 'Lower bound of right.ts − left.ts (may be negative), e.g. `-1h`.', example: '-1h' }),
  upper: field.duration({ doc: 'Upper bound of right.ts − left.ts, e.g. `0s`.', example: '0s' }),
  lower_inclusive: field.boolean({ doc: 'Whether right.ts = left.ts + lower matches.', default: true }),
  upper_inclusive: field.boolean({ doc: 'Whether right.ts = left.ts + upper matches.', default: true }),
  allowed_lateness: field.duration({
    doc: 'Records with ts < watermark − allowed_lateness go to the late output (reason `join_late`); buffers are kept that much longer.',
    default: '0s',
    min: 0,
  }),
  max_buffered_per_side: field.integer({
    doc: 'Bound on records buffered per side (all keys). Over it, the engine stops feeding that side until the watermark frees buffers (nothing is dropped), feeding it anyway only when no other input has records; a side over twice the bound fails the job with an error naming this setting.',
    default: 1_000_000,
    min: 1,
  }),
  where: field.expr({
    doc: 'Join condition beyond the key and the time bounds: a CEL predicate over `left` and `right`. Pairs for which it is false are not emitted (counted as `filtered`); one that fails or gives a non-boolean dead-letters the pair `{left, right}` with reason `expr_error`.',
    scope: 'join',
    optional: true,
    example: 'right.action in left.actions',
  }),
  project: field.map(field.expr({ doc: 'CEL over `left` and `right`.', scope: 'join' }), {
    doc: 'Output fields, each a CEL expression over `left` and `right`. Default output `{key, left, right}`.',
    optional: true,
    example: { user_id: 'left.user_id', amount: 'left.amount', country: 'right.country' },
  }),
});
