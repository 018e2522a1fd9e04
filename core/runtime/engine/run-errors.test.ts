import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '../../api/index.ts';
import { retryCannotHelp } from './run-errors.ts';

void test('retryCannotHelp finds E_SOURCE_INPUT in the error or its causes', () => {
  const input = new SluiceError('E_SOURCE_INPUT', "no such file 'x'");
  assert.equal(retryCannotHelp(input), input);
  const wrapped = new SluiceError('E_PLUGIN_INIT', "failed to init source 'events'", { cause: new Error('open failed', { cause: input }) });
  assert.equal(retryCannotHelp(wrapped), input);
});

void test('retryCannotHelp leaves other errors to the restart policy', () => {
  assert.equal(retryCannotHelp(new SluiceError('E_PLUGIN_FAILED', 'boom')), undefined);
  assert.equal(retryCannotHelp(Object.assign(new Error('gone'), { code: 'ENOENT' })), undefined);
  assert.equal(retryCannotHelp('a string'), undefined);
  const loop = new Error('a');
  (loop as { cause?: unknown }).cause = loop;
  assert.equal(retryCannotHelp(loop), undefined);
});
