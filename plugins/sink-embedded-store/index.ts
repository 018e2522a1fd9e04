/** `embedded_store`: result rows upserted into an embedded SQLite table shaped like HBase's. */
import { definePlugin, services } from '../../core/api/index.ts';
import { EmbeddedStoreSink } from './sink.ts';
import { embeddedStoreSpec } from './spec.ts';
import { parseTemplate } from '../../lib/row-template/template.ts';

export const embeddedStoreSink = definePlugin({
  kind: 'sink',
  name: 'embedded_store',
  summary: 'Upserts rows by row key into an embedded SQLite table with HBase\'s keys and qualifiers.',
  description: [
    'The embedded stand-in for the `hbase` sink: the same row keys and qualifiers, one SQLite',
    'table per HBase table (`row_key`, one TEXT column per qualifier, `_version`), so results',
    'read the same locally and in production. Applies an upsert stream by key (`delete`',
    'removes the row); rows are coalesced and written in batched transactions.',
    '',
    'Guarantee after kill -9 and restart: effectively once. Versions only grow per row',
    '(a restore generation above every earlier one, then a sequence), and the replay from',
    'the last checkpoint rewrites the same rows. Made durable at every checkpoint.',
  ].join('\n'),
  spec: embeddedStoreSpec,
  deps: { clock: services.clock },
  check(config) {
    try {
      parseTemplate(config.row_key);
      return [];
    } catch (error) {
      return [{ path: ['row_key'], message: (error as Error).message, severity: 'error' }];
    }
  },
  create: ({ config, expressions, deps }) => new EmbeddedStoreSink(config, expressions, deps.clock),
});
