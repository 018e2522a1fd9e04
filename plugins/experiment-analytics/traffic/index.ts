/** `experiment_traffic`: synthetic experiment traffic with named outputs, deterministic by seed. */
import { definePlugin } from 'sluice/api';
import { TrafficSource } from './source.ts';
import { TRAFFIC_OUTPUTS, trafficSpec } from './spec.ts';

export const experimentTrafficSource = definePlugin({
  kind: 'source',
  name: 'experiment_traffic',
  summary: 'Synthetic experiment traffic (activations, actions, metadata), deterministic by seed.',
  description: [
    'Outputs `activations` ({event_id, user_id, experiment_id, group, ts}), `actions`',
    '({event_id, user_id, action, ts, surface, item_id | query}) and `metadata` (one version per',
    'ramp, with the ramp history so far). Event time advances with the record index',
    '(`event_interval`), never with the wall clock, and every record is a pure function of the',
    'seed and its index: `position()` and `open(position)` restore exactly.',
    '',
    'Realism: Zipf-skewed users, one hot experiment, launches, ramps inside an epoch and',
    're-ramps after it, repeated and duplicated triggers, true effects per experiment and',
    'action (A/A otherwise), an optional sample-ratio mismatch, out-of-order delivery within',
    '`out_of_order`, a share delayed within the allowed lateness and a share beyond it, and',
    'a few payloads that do not decode. See docs/flagship.md.',
  ].join('\n'),
  spec: trafficSpec,
  plan: () => ({
    outputs: TRAFFIC_OUTPUTS,
    fields: {
      activations: { event_id: 'string', user_id: 'string', experiment_id: 'string', group: 'string', ts: 'int' },
      actions: { event_id: 'string', user_id: 'string', action: 'string', ts: 'int', surface: 'string', item_id: 'string', query: 'string' },
      metadata: {
        event_id: 'string', experiment_id: 'string', groups: 'list', control: 'string', weights: 'map', alpha: 'double',
        n_star: 'int', actions: 'map', ramps: 'list', effective_from: 'int', ts: 'int',
      },
    },
  }),
  create: ({ config }) => new TrafficSource(config),
});
