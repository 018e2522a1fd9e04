import { field } from '../../core/api/index.ts';

export const keyedProcessSpec = field.object({
  function: field.string({ doc: 'Name of a keyed function (defined with `defineKeyedFunction` in a plugin folder or package).', example: 'first_trigger' }),
  options: field.any({ doc: "The function's options, passed as written.", default: {} }),
  key: field.union([field.string({ doc: 'A key field.' }), field.array(field.string({ doc: 'A key field.' }), { doc: 'Key fields.', minItems: 1 })], {
    doc: "Field(s) to key the input by; default the input stream's key.",
    optional: true,
  }),
  allowed_lateness: field.duration({
    doc: 'Elements with ts < watermark − allowed_lateness go to the late output (reason `process_late`) without reaching the function.',
    default: '0s',
    min: 0,
  }),
});
