import { jsonCodec } from '../../core/runtime/codec/index.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, APPEND_ONLY } from '../../core/api/index.ts';
import { nullSinkPlugin } from './index.ts';

void test('null counts records across writes and restores, and logs the count at close', async () => {
  const logged: unknown[] = [];
  const logger = { info: (m: string, a?: unknown) => logged.push([m, a]) } as never;
  const ctx = { id: 'nothing', job: 'j', config: {}, deps: {}, logger, input: { changelog: APPEND_ONLY }, expressions: undefined as never, codec: jsonCodec };
  const sink = await nullSinkPlugin.create(ctx);
  await sink.open(undefined);
  const b = new BatchBuilder();
  for (let i = 0; i < 5; i++) b.push({ i }, i);
  await sink.write(b.take());
  await sink.write(b.take());
  assert.deepEqual(await sink.checkpoint!(), { records: 5 });
  const again = await nullSinkPlugin.create(ctx);
  await again.open({ records: 5 });
  b.push({ i: 9 }, 9);
  await again.write(b.take());
  await again.close();
  assert.deepEqual(logged, [["null sink 'nothing' discarded 6 records", { records: 6, batches: 1 }]]);
});
