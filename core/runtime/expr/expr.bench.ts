/**
 * Evaluations per second of a typical `where`, over 1M records:
 *   node --import tsx core/runtime/expr/expr.bench.ts
 */
import { createExpressionCompiler } from './compiler.ts';

const N = 1_000_000;
const records = Array.from({ length: N }, (_, i) => ({ amount: i % 200, user_id: `u${i % 10}`, ts: i }));

function run(label: string, source: string): void {
  const expr = createExpressionCompiler().compile(source, 'record');
  for (let i = 0; i < 100_000; i++) expr.evaluate(records[i]!); // warm up
  const started = process.hrtime.bigint();
  let kept = 0;
  for (let i = 0; i < N; i++) if (expr.evaluate(records[i]!) === true) kept++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${label}: ${Math.round(N / seconds).toLocaleString('en')} evaluations/s (${kept} kept, ${(seconds * 1000).toFixed(0)} ms)`);
}

run('record as context     ', 'amount > 100 && user_id != "u7"');
run('with has(self.…) guard', 'has(self.amount) && amount > 100 && user_id != "u7"');
