import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, resolvePlainScalar } from './interpolate.ts';

void test('${VAR} and ${VAR:-default}', () => {
  const env = { HOST: 'db', EMPTY: '' };
  assert.deepEqual(interpolate('${HOST}:${PORT:-5432}', env), { value: 'db:5432', unset: [], changed: true });
  assert.deepEqual(interpolate('no vars', env), { value: 'no vars', unset: [], changed: false });
  assert.equal(interpolate('${EMPTY:-fallback}', env).value, 'fallback');
  assert.equal(interpolate('${EMPTY}', env).value, '');
  assert.equal(interpolate('${X:-}', env).value, '');
  assert.equal(interpolate('${X:-a:b/c}', env).value, 'a:b/c');
});

void test('unset without default is reported by name', () => {
  assert.deepEqual(interpolate('${A}-${B:-b}-${C}', {}), { value: '-b-', unset: ['A', 'C'], changed: true });
});

void test('$${ is a literal ${', () => {
  assert.equal(interpolate('$${HOST} ${HOST}', { HOST: 'h' }).value, '${HOST} h');
});

void test('plain scalars read as YAML 1.2 core would', () => {
  assert.equal(resolvePlainScalar('9092'), 9092);
  assert.equal(resolvePlainScalar('-1.5e3'), -1500);
  assert.equal(resolvePlainScalar('0x1F'), 31);
  assert.equal(resolvePlainScalar('true'), true);
  assert.equal(resolvePlainScalar('False'), false);
  assert.equal(resolvePlainScalar(''), null);
  assert.equal(resolvePlainScalar('~'), null);
  assert.equal(resolvePlainScalar('127.0.0.1:9092'), '127.0.0.1:9092');
  assert.equal(resolvePlainScalar('yes'), 'yes');
});
