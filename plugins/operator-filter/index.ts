/** `filter`: keeps the records for which a CEL predicate holds. */
import { definePlugin } from '../../core/api/index.ts';
import { filterSpec } from './spec.ts';

export const filterPlugin = definePlugin({
  kind: 'operator',
  name: 'filter',
  summary: 'Keeps the records for which a CEL predicate is true.',
  spec: filterSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (_config, [input]) => ({ output: input! }),
  create({ config, expressions }) {
    const predicate = expressions.compile(config.where, 'record');
    return {
      processBatch(batch, _input, ctx) {
        const { values, times, kinds, provenance } = batch;
        for (let i = 0; i < batch.length; i++) {
          let keep: unknown;
          try {
            keep = predicate.evaluate(values[i]!);
          } catch (error) {
            ctx.fail(i, error);
            continue;
          }
          if (keep === true) ctx.emit(values[i]!, times[i]!, kinds?.[i], provenance?.[i]);
        }
      },
    };
  },
});
