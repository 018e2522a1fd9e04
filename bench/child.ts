/**
 * One benchmark run in this (fresh) process: `child.ts <scenario> <events> <keys>`.
 * Prints its result (or its error) as the last stdout line, prefixed `@@bench `.
 */
import { SCENARIOS } from './scenarios.ts';

const RESULT_PREFIX = '@@bench ';

const [name, events, keys] = process.argv.slice(2);
const scenario = SCENARIOS.find((s) => s.name === name);
try {
  if (!scenario) throw new Error(`unknown scenario '${name}'`);
  const result = await scenario.run({ events: Number(events), keys: Number(keys) });
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
} catch (error) {
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
}
