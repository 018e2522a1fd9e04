import { field } from '../../core/api/index.ts';

export const keyedProcessSpec = field.object({
  function: field.plugin('keyed_function', {
    doc: 'Name of a keyed function: a plugin of kind `keyed_function` (`defineKeyedFunction`), built in or from a package under `plugins:`.',
    example: 'first_trigger',
    options: 'options',
  }),
  options: field.any({ doc: "The function's options, validated by the function's own spec (`sluice plugins docs <function>`).", default: {} }),
  key: field.union([field.string({ doc: 'A key field.' }), field.array(field.string({ doc: 'A key field.' }), { doc: 'Key fields.', minItems: 1 })], {
    doc: "Field(s) to key the input by; default the input stream's key.",
    optional: true,
  }),
  allowed_lateness: field.duration({
    doc: 'Elements with ts < watermark − allowed_lateness go to the late output (reason `process_late`, or the one the function declares) without reaching the function.',
    default: '0s',
    min: 0,
  }),
});
