/** The benchmark scenarios, each run in a fresh process by `run.ts`. */
import { runBenchPipeline } from './drivers/pipeline.ts';
import { checkpointScenario } from './checkpoint.ts';
import { experimentStats } from './experiment-stats.ts';
import { flagship } from './flagship.ts';
import { fileSinkWrite, fileSourceRead, jsonDecode } from './micro.ts';
import { celFilter, fileSinkProvenance, storeSink } from './sinks.ts';
import type { Scenario } from './scenario.ts';
import { STATE_SCENARIOS } from './state-scenarios.ts';
import { FLOOR_SCENARIOS } from './state-floor.ts';
import { kafkaExactlyOnce } from './kafka-eos.ts';
import { kafkaSend } from './kafka-send.ts';
import { flagshipUi } from './flagship-ui.ts';
import { tracingOverhead } from './tracing.ts';

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
  {
    name: 'flagship', summary: '`npm start` as shipped: sluice run of the flagship, embedded profile, every output on (in process, from the command\'s start)', events: 1_000_000,
    run: flagship,
  },
  { name: 'experiment_stats', summary: 'experiment_stats operator alone, synthetic counts stream', events: 400_000, run: experimentStats },
  { name: 'checkpoint_1m', summary: 'checkpoint of 1 M count/sum keys, state written in the background (events = keys; see bench/checkpoint.ts)', events: 1_000_000, keys: 1_000_000, run: checkpointScenario('capture') },
  { name: 'checkpoint_1m_stw', summary: 'the same checkpoint stop-the-world (the backend without capture): baseline', events: 1_000_000, keys: 1_000_000, run: checkpointScenario('stop_the_world') },
  { name: 'store_sink', summary: 'embedded_store sink: counts-shaped upserts, 5,000 row keys, batches of 1024', events: 500_000, keys: 5000, run: storeSink(false) },
  { name: 'store_sink_baseline', summary: 'store_sink on the sink as it was before issue 9 (bench/baseline/)', events: 500_000, keys: 5000, run: storeSink(true) },
  { name: 'file_sink_provenance', summary: 'file sink archiving action records with envelope: provenance', events: 500_000, run: fileSinkProvenance(false) },
  { name: 'file_sink_provenance_baseline', summary: 'file_sink_provenance on the sink and codec as they were before issue 9', events: 500_000, run: fileSinkProvenance(true) },
  { name: 'cel_filter', summary: "the flagship's two CEL filters (record and join scope), alternating", events: 1_000_000, run: celFilter(false) },
  { name: 'cel_filter_baseline', summary: 'cel_filter evaluated by cel-js alone (no fast path)', events: 1_000_000, run: celFilter(true) },
  ...STATE_SCENARIOS,
  ...FLOOR_SCENARIOS,
  { name: 'kafka_eos', summary: 'Kafka → Kafka, kafka sink exactly_once (a transaction per 1 s checkpoint); needs the broker', events: 200_000, keys: 10_000, needsKafka: true, run: kafkaExactlyOnce(true) },
  { name: 'kafka_eos_baseline', summary: 'kafka_eos at least once (idempotent producer, no transactions): the same-run baseline', events: 200_000, keys: 10_000, needsKafka: true, run: kafkaExactlyOnce(false) },
  { name: 'kafka_send', summary: "the kafka sink's producer alone, sends of 10,000 cut into requests of 1,024 (chunked-sends.ts); needs the broker", events: 200_000, keys: 10_000, needsKafka: true, run: kafkaSend(true) },
  { name: 'kafka_send_baseline', summary: 'kafka_send with the bare producer (one request per send of 10,000): the same-run baseline', events: 200_000, keys: 10_000, needsKafka: true, run: kafkaSend(false) },
  { name: 'flagship_ui', summary: 'flagship with --ui and one page reading the event stream (baseline: flagship, same run)', events: 1_000_000, run: flagshipUi },
  { name: 'tracing_off', summary: 'filter_map through runJob, batch traces off: the baseline of tracing_0_01 and tracing_1', events: 2_000_000, needsKafka: true, run: tracingOverhead(undefined) },
  { name: 'tracing_0_01', summary: 'filter_map, traces sampled at the production default 0.01, OTLP to Jaeger (needs scripts/services up)', events: 2_000_000, needsKafka: true, run: tracingOverhead(0.01) },
  { name: 'tracing_1', summary: 'filter_map, every batch traced (sample ratio 1.0), OTLP to Jaeger (needs scripts/services up)', events: 2_000_000, needsKafka: true, run: tracingOverhead(1) },
];
