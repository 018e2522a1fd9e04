import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError } from 'sluice/api';
import { checkAction, checkActivation, checkExperimentMeta, experimentMetaIssues } from './index.ts';

const L = 1_700_000_000_000;
const meta = {
  event_id: 'm-1', experiment_id: 'exp_1', groups: ['control', 'treatment'], control: 'control',
  weights: { control: 0.5, treatment: 0.5 }, alpha: 0.05, n_star: 2500,
  actions: { click: 'up_is_good', hide: 'down_is_good', impression: 'none' },
  ramps: [{ ts: L, weights: { control: 0.9, treatment: 0.1 } }, { ts: L + 1000, weights: { control: 0.5, treatment: 0.5 } }],
  effective_from: L + 1000, ts: L + 500,
};

void test('valid records pass through unchanged', () => {
  const a = { event_id: 'a-1', user_id: 'u1', experiment_id: 'exp_1', group: 'treatment', ts: L };
  assert.equal(checkActivation(a), a);
  const x = { event_id: 'x-1', user_id: 'u1', action: 'click', ts: L, surface: 'home' };
  assert.equal(checkAction(x), x);
  assert.deepEqual(experimentMetaIssues(meta), []);
  assert.equal(checkExperimentMeta(meta), meta);
});

void test('bad records throw a RecordError with a reason and every problem', () => {
  assert.throws(() => checkActivation({ event_id: 'a', user_id: 'u|1', experiment_id: 'e', group: 'g', ts: '2024' }), (e: unknown) => {
    assert.ok(e instanceof RecordError);
    assert.equal(e.reason, 'invalid_activation');
    assert.match(e.message, /user_id.*ts must be/s);
    return true;
  });
  assert.throws(() => checkAction({ event_id: 'x', user_id: 'u', ts: 1 }), /action must be/);
});

void test('metadata: groups, control, weights, ramps and effective_from are checked together', () => {
  const issues = (patch: Record<string, unknown>) => experimentMetaIssues({ ...meta, ...patch });
  assert.match(issues({ groups: ['control'] }).join(), /at least two/);
  assert.match(issues({ control: 'nobody' }).join(), /control 'nobody'/);
  assert.match(issues({ weights: { control: 0.5, treatment: 0.6 } }).join(), /sum to 1/);
  assert.match(issues({ weights: { control: 1 } }).join(), /no weight for group 'treatment'/);
  assert.match(issues({ alpha: 1 }).join(), /alpha/);
  assert.match(issues({ actions: { _: 'none' } }).join(), /trigger row/);
  assert.match(issues({ actions: { click: 'sideways' } }).join(), /must be one of/);
  assert.match(issues({ ramps: [meta.ramps[1], meta.ramps[0]] }).join(), /must be after/);
  assert.match(issues({ ramps: [] }).join(), /launch/);
  assert.match(issues({ effective_from: L - 1 }).join(), /before the launch/);
  assert.match(issues({ weights: { control: 0.9, treatment: 0.1 } }).join(), /latest ramp/);
  assert.throws(() => checkExperimentMeta({ ...meta, n_star: 0 }), /n_star/);
});
