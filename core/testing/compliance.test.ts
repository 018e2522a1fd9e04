/** The compliance suites run against built-in plugins: they pass as these plugins keep the contract. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after } from 'node:test';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { fileSourcePlugin } from '../../plugins/source-file/index.ts';
import { fileSinkPlugin } from '../../plugins/sink-file/index.ts';
import { nullSinkPlugin } from '../../plugins/sink-null/index.ts';
import { stdoutSinkPlugin, stdoutTarget } from '../../plugins/sink-stdout/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { dedupePlugin } from '../../plugins/operator-dedupe/index.ts';
import { operatorCompliance, sinkCompliance, sourceCompliance } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-compliance-'));
const input = join(dir, 'in.jsonl');
writeFileSync(input, Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: i, user: `u${i % 4}` })).join('\n') + '\n');
let outputs = 0;

sourceCompliance(generatorPlugin, {
  config: { count: 40, partitions: 3, fields: { n: { sequence: {} }, user: { one_of: ['a', 'b'] } } },
  invalidConfigs: [{ count: -1, fields: {} }],
});

sourceCompliance(generatorPlugin, {
  config: { fields: { n: { sequence: {} } } },
  limit: 30,
});

sourceCompliance(fileSourcePlugin, {
  config: { path: input, read_size: 64 },
  invalidConfigs: [{ path: '' }, { path: input, read_size: 0 }],
});

sinkCompliance(fileSinkPlugin, {
  config: () => ({ path: join(dir, `out-${outputs++}.jsonl`) }),
  invalidConfigs: [{ path: '' }, { path: 'x', envelope: 'zip' }],
  readBack: (config) => Promise.resolve(readFileSync((config as { path: string }).path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)),
});

sinkCompliance(nullSinkPlugin, { config: {} });

const printed: string[] = [];
const realStdout = stdoutTarget.stream;
stdoutTarget.stream = new Writable({ write: (chunk: Buffer, _e, done) => (printed.push(chunk.toString()), done()) });
after(() => (stdoutTarget.stream = realStdout));
sinkCompliance(stdoutSinkPlugin, { config: {}, invalidConfigs: [{ change_field: '' }] });

const rows = Array.from({ length: 12 }, (_, i) => ({ value: { id: i % 5, amount: i * 10 }, time: 1000 + i * 100 }));
operatorCompliance(filterPlugin, { config: { where: 'amount > 30' }, records: rows, invalidConfigs: [{ where: 'amount >' }] });
operatorCompliance(dedupePlugin, { config: { fields: ['id'], out_of_orderness: '1s' }, records: rows, invalidConfigs: [{ fields: 'id' }] });
