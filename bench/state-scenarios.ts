/**
 * Keyed-state scenarios at the sizes of issue 9 ("state and timers that scale with keys"):
 * the interval join and tumbling windows at ~1 M live keys, and session windows at 100 k
 * live keys with a 10 k-key twin, whose events per CPU-second should match (cost flat in
 * the number of live keys). Each reports state bytes per key (`drivers/state-sampler.ts`).
 */
import { runBenchPipeline } from './drivers/pipeline.ts';
import type { Scenario } from './scenario.ts';

export const STATE_SCENARIOS: readonly Scenario[] = [
  {
    name: 'interval_join_1m', summary: 'interval_join [0, 1h] by user_id: one activation for each of 1 M users, all buffered to the end (1 M live keys at the peak), 1 M actions of random users (events = actions; activations = keys)', events: 1_000_000, keys: 1_000_000,
    run: (o) => runBenchPipeline('interval_join_hour', o),
  },
  {
    name: 'window_aggregate_1m', summary: 'tumbling 1h window, count/sum/max over 1 M users; ~0.95 M keys hold a window at the peak', events: 3_000_000, keys: 1_000_000,
    run: (o) => runBenchPipeline('window_aggregate_hour', o),
  },
  {
    name: 'session_window', summary: 'session windows (gap 10m), count/sum/max over 100 k users, all sessions live', events: 2_000_000, keys: 100_000,
    run: (o) => runBenchPipeline('session_window', o),
  },
  {
    name: 'session_window_10k', summary: 'session_window over 10 k users: same cost per event as at 100 k when sessions are flat in keys', events: 2_000_000, keys: 10_000,
    run: (o) => runBenchPipeline('session_window', o),
  },
];
