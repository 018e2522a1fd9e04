/** `filter`: keeps the records for which a CEL predicate holds. */
import { definePlugin, RecordError } from '../../core/api/index.ts';
import { filterSpec } from './spec.ts';

export const filterPlugin = definePlugin({
  kind: 'operator',
  name: 'filter',
  summary: 'Keeps the records for which a CEL predicate is true.',
  description: [
    'Records for which `where` is true pass unchanged (event time, change kind and provenance kept); those for which it is false are dropped and counted as `filtered`.',
    'A predicate that fails (a missing field, a type error; guard with `has(self.x)`) or gives a non-boolean dead-letters the record with reason `expr_error`.',
    'The output stream is the input stream: same fields, key and changelog. On an upsert stream a filter drops changes, so use it only where that is meant.',
  ].join(' '),
  spec: filterSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (_config, [input]) => ({ output: input! }),
  create({ config, expressions }) {
    const predicate = expressions.compile(config.where, 'record');
    return {
      processBatch(batch, _input, ctx) {
        const { values, times, kinds, provenance } = batch;
        let dropped = 0;
        for (let i = 0; i < batch.length; i++) {
          let keep: unknown;
          try {
            keep = predicate.evaluate(values[i]!);
          } catch (error) {
            ctx.fail(i, error);
            continue;
          }
          if (keep === true) ctx.emit(values[i]!, times[i]!, kinds?.[i], provenance?.[i]);
          else if (keep === false) dropped++;
          else ctx.fail(i, new RecordError('expr_error', `CEL ${JSON.stringify(config.where)}: a filter must give true or false, got ${JSON.stringify(keep) ?? typeof keep}`));
        }
        if (dropped > 0) ctx.count('filtered', dropped);
      },
    };
  },
});
