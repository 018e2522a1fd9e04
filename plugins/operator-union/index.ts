/** `union`: merges several streams of one changelog into one. */
import { definePlugin } from '../../core/api/index.ts';
import { unionSpec } from './spec.ts';
import { planUnion } from './plan.ts';

export const unionPlugin = definePlugin({
  kind: 'operator',
  name: 'union',
  summary: 'Merges two or more streams with the same changelog into one.',
  description: [
    'Records of every input go to the output as they arrive, unchanged (event times, change kinds and provenance kept); order across inputs is arrival order.',
    'The inputs must share one changelog: all append-only, or all upsert on the same key.',
    'Its watermark is the minimum of its inputs\' (as for every operator), so a lagging input holds the output back; an idle input (per `idle_timeout` at its source) does not.',
    'The output keeps the inputs\' key when they all have the same one.',
  ].join(' '),
  spec: unionSpec,
  inputs: { min: 2, max: 64 },
  keyed: false,
  plan: (_config, inputs) => planUnion(inputs),
  create() {
    return {
      processBatch(batch, _input, ctx) {
        const { values, times, kinds, provenance } = batch;
        for (let i = 0; i < batch.length; i++) ctx.emit(values[i]!, times[i]!, kinds?.[i], provenance?.[i]);
      },
    };
  },
});
