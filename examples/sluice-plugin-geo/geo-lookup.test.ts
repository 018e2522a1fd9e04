// The plugin's own tests, written against the public test kit only (`sluice/testing`), as a
// third-party author would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness } from 'sluice/testing';
import { geoLookup } from './index.ts';
import { PrefixTable, parseCidr, parseIpv4 } from './prefix-table.ts';

const prefixes = { '81.2.69.0/24': 'GB', '81.2.69.128/25': 'IE', '2.16.0.0/13': 'FR' };

void test('the longest matching prefix wins', () => {
  const table = PrefixTable.from(prefixes);
  assert.equal(table.lookup(parseIpv4('81.2.69.10')!), 'GB');
  assert.equal(table.lookup(parseIpv4('81.2.69.200')!), 'IE');
  assert.equal(table.lookup(parseIpv4('2.23.255.1')!), 'FR');
  assert.equal(table.lookup(parseIpv4('2.24.0.1')!), undefined);
  assert.equal(PrefixTable.from({ '0.0.0.0/0': 'ZZ' }).lookup(parseIpv4('255.255.255.255')!), 'ZZ');
});

void test('addresses and prefixes that do not parse are refused', () => {
  for (const bad of ['1.2.3', '1.2.3.256', '1.2.3.4.5', 'a.b.c.d', '01.2.3.4 ']) assert.equal(parseIpv4(bad), undefined, bad);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.deepEqual(parseCidr('10.1.2.3/8'), { network: 10 * 2 ** 24, length: 8 });
});

void test('geo_lookup adds the country and keeps event time, kind and the rest of the row', () => {
  const h = OperatorTestHarness.for(geoLookup, { field: 'client_ip', prefixes, default: 'unknown' });
  h.push([
    { value: { id: 1, client_ip: '81.2.69.7' }, time: 10 },
    { value: { id: 2, client_ip: '81.2.69.130' }, time: 11, kind: 'update' },
    { value: { id: 3, client_ip: '9.9.9.9' }, time: 12 },
    { value: { id: 4 }, time: 13 },
  ]);
  assert.deepEqual(
    h.output().map((r) => [r.value, r.time, r.kind]),
    [
      [{ id: 1, client_ip: '81.2.69.7', country: 'GB' }, 10, 'insert'],
      [{ id: 2, client_ip: '81.2.69.130', country: 'IE' }, 11, 'update'],
      [{ id: 3, client_ip: '9.9.9.9', country: 'unknown' }, 12, 'insert'],
      [{ id: 4, country: 'unknown' }, 13, 'insert'],
    ],
  );
});

void test('an address that does not parse is dead-lettered with reason invalid_ip, and the job goes on', () => {
  const h = OperatorTestHarness.for(geoLookup, { prefixes });
  h.push([
    { value: { ip: 'not-an-ip' }, time: 1 },
    { value: { ip: '81.2.69.1' }, time: 2 },
  ]);
  assert.deepEqual(h.outputValues(), [{ ip: '81.2.69.1', country: 'GB' }]);
  const [dead] = h.deadLetters();
  assert.equal(dead?.['reason'], 'invalid_ip');
});

void test('invalid: default writes the default instead', () => {
  const h = OperatorTestHarness.for(geoLookup, { prefixes, invalid: 'default', into: 'cc' });
  h.push([{ value: { ip: 42 }, time: 1 }]);
  assert.deepEqual(h.outputValues(), [{ ip: 42, cc: null }]);
});

void test('check rejects a malformed prefix in the config', () => {
  const issues = geoLookup.check!({ field: 'ip', into: 'country', prefixes: { '10.0.0.0/40': 'X' }, invalid: 'dead_letter' });
  assert.equal(issues.length, 1);
  assert.deepEqual(issues[0]!.path, ['prefixes', '10.0.0.0/40']);
});

void test('plan adds the output field to the known fields', () => {
  const plan = geoLookup.plan(
    { field: 'ip', into: 'country', prefixes: {}, invalid: 'dead_letter' },
    [{ fields: { ip: 'string' }, changelog: { mode: 'append' }, allowedLateness: 0, key: ['ip'] }],
  );
  assert.deepEqual(plan.output.fields, { ip: 'string', country: 'string' });
  assert.deepEqual(plan.output.key, ['ip']);
});
