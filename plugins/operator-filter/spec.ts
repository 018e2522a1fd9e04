import { field } from '../../core/api/index.ts';

export const filterSpec = field.object({
  where: field.expr({ doc: 'CEL predicate over the record; records for which it is true are kept.', example: 'amount > 100', returns: 'bool' }),
});
