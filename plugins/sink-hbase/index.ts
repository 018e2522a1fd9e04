/** `hbase`: result rows upserted by row key into an HBase table over its REST server. */
import { definePlugin, services } from '../../core/api/index.ts';
import { restOptions } from '../../lib/hbase-client/connection-spec.ts';
import { createRestClient } from '../../lib/hbase-client/rest-client.ts';
import { parseTemplate } from '../../lib/row-template/template.ts';
import { HBaseSink } from './sink.ts';
import { hbaseSinkSpec } from './spec.ts';

export const hbaseSink = definePlugin({
  kind: 'sink',
  name: 'hbase',
  summary: 'Upserts rows by row key into an HBase table (REST server), cell versions that only grow.',
  description: [
    'The production counterpart of `embedded_store`: the same config (`table`, `family`, `row_key`,',
    '`columns`, `version_qualifier`) plus the REST connection, so a pipeline\'s embedded and production',
    'profiles differ only in the sink block. Values are UTF-8 text (numbers in decimal); a null writes',
    'an empty cell (HBase has no null; the empty newer version hides an earlier value, as the embedded store\'s NULL does).',
    '',
    'Applies an upsert stream by key: rows are coalesced in memory (the last change wins; `delete`',
    'deletes the row) and flushed at `flush_rows` buffered rows, every `flush_interval`, at each checkpoint',
    'and at close. A flush is sent as multi-row puts of `put_rows` rows, `max_in_flight` at a time, while',
    'the next rows are buffered: a write waits only while more than `flush_rows` rows are unacknowledged.',
    'Two flushes in flight may hold the same row; the higher version wins in HBase whatever order they land in.',
    'The table is created with one version per cell when `create_table` is on.',
    '',
    'Cell timestamps are a version that only grows per row, `generation · 2^40 + sequence`, never event',
    'time: a late update is visible, and an older write never hides a newer one. The generation is one',
    'above both the checkpointed one and every generation already in the table.',
    '',
    'Guarantee after kill -9 and restart: **effectively once**. The replay from the last checkpoint',
    'rewrites the same rows with newer versions; a checkpoint completes only after every buffered row',
    'was acknowledged by HBase.',
    '',
    'Errors: connection refused or reset, timeouts and 5xx are transient: the next write fails and is retried by the',
    'runtime with back-off and jitter while the job back-pressures, nothing is lost (counted in',
    '`sluice_sink_retries`). Other HTTP errors (a 4xx) fail the write; the runtime then fails the job and',
    'restarts it from its last checkpoint (coalesced rows cannot be dead-lettered one record at a time).',
    'A record whose row key or a CEL column cannot be rendered is dead-lettered.',
  ].join('\n'),
  spec: hbaseSinkSpec,
  deps: { clock: services.clock, meter: services.meter },
  check(config) {
    try {
      parseTemplate(config.row_key);
      return [];
    } catch (error) {
      return [{ path: ['row_key'], message: (error as Error).message, severity: 'error' }];
    }
  },
  create({ id, config, expressions, deps }) {
    const retries = deps.meter.createCounter('sluice_sink_retries', { description: 'Sink writes that failed transiently and are retried, per sink.' });
    return new HBaseSink({ id, config, client: createRestClient(restOptions(config)), clock: deps.clock, expressions, retries });
  },
});
