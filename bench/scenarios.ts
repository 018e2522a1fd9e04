/** The benchmark scenarios, each run in a fresh process by `run.ts`. */
import { runBenchPipeline } from './drivers/pipeline.ts';
import { experimentStats } from './experiment-stats.ts';
import { fileSinkWrite, fileSourceRead, jsonDecode } from './micro.ts';
import type { Scenario } from './scenario.ts';
import { STATE_SCENARIOS } from './state-scenarios.ts';

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'passthrough', summary: 'generator → null sink', events: 2_000_000,
    run: (o) => runBenchPipeline('passthrough', o),
  },
  {
    name: 'filter_map', summary: 'generator → filter (CEL, keeps ~half) → map (two CEL fields, one drop) → null', events: 2_000_000,
    run: (o) => runBenchPipeline('filter_map', o),
  },
  {
    name: 'interval_join', summary: 'two generator outputs (events = per output) → interval_join [0, 1m] by user_id → null', events: 500_000, keys: 100_000,
    run: (o) => runBenchPipeline('interval_join', o),
  },
  {
    name: 'window_aggregate', summary: 'generator → tumbling 1m window, count/sum/max by user_id → null', events: 2_000_000, keys: 100_000,
    run: (o) => runBenchPipeline('window_aggregate', o),
  },
  { name: 'json_decode', summary: 'JSON codec: decode ~110-byte lines in chunks of 1024', events: 1_000_000, run: jsonDecode },
  { name: 'file_sink_write', summary: 'file sink: encode + one write per 1024-record batch, fsync at the end', events: 1_000_000, run: fileSinkWrite },
  { name: 'file_source_read', summary: 'file source (1 MiB reads) + JSON decode', events: 1_000_000, run: fileSourceRead },
  { name: 'experiment_stats', summary: 'experiment_stats operator alone, synthetic counts stream', events: 400_000, run: experimentStats },
  ...STATE_SCENARIOS,
];
