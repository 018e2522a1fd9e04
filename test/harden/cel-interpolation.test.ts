/**
 * Issue 12: a `${VAR}` inside a CEL expression was pasted as text, so a value holding a
 * quote rewrote the expression (`NAME='ok" || true || "x" == "'` made a filter pass
 * everything). Now a variable inside a string literal becomes that literal's text, escaped;
 * outside one it must be a plain number, bool or null, else E_EXPR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { builtinRegistry } from '../../core/runtime/plugins/index.ts';

async function where(expr: string, env: Record<string, string>): Promise<{ where?: string; errors: string[] }> {
  const text = `name: p
sources:
  s: { generator: { count: 1, fields: { name: { const: a }, n: { int: [1, 2] } } } }
operators:
  f: { input: s, filter: { where: '${expr.replace(/'/g, "''")}' } }
sinks:
  out: { input: f, stdout: {} }
`;
  const result = compilePipeline({ file: 'p.yaml', text, env, plugins: await builtinRegistry() });
  const errors = result.issues.filter((i) => i.severity === 'error').map((i) => `${i.code} ${i.message}`);
  const op = result.pipeline?.operators.find((o) => o.id === 'f');
  return { ...(op ? { where: (op.config as { where: string }).where } : {}), errors };
}

function passes(source: string, record: Record<string, unknown>): unknown {
  return createExpressionCompiler().compile(source, 'record').evaluate({ ...record, record });
}

void test('a quote in a variable inside a string literal cannot rewrite the expression', async () => {
  const name = 'ok" || true || "x" == "';
  const r = await where('name == "${NAME}"', { NAME: name });
  assert.deepEqual(r.errors, []);
  assert.equal(passes(r.where!, { name: 'a', n: 1 }), false, 'an unrelated record does not pass');
  assert.equal(passes(r.where!, { name, n: 1 }), true, 'the value itself, quotes and all, matches');
  const single = await where("name == '${NAME}'", { NAME: "it's \\ \n" });
  assert.equal(passes(single.where!, { name: "it's \\ \n" }), true);
});

void test('outside a string literal a variable must be a plain literal', async () => {
  const ok = await where('n > ${LIMIT:-1}', {});
  assert.deepEqual(ok.errors, []);
  assert.equal(passes(ok.where!, { n: 2 }), true);
  const bad = await where('n > ${LIMIT}', { LIMIT: '0 || true' });
  assert.equal(bad.errors.length, 1, bad.errors.join('\n'));
  assert.match(bad.errors[0]!, /^E_EXPR .*\$\{LIMIT\}.*outside a string literal/);
});
