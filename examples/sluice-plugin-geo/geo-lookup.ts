/** `geo_lookup`: adds a value (a country code) found by the longest matching IPv4 prefix. */
import { RecordError, definePlugin } from 'sluice/api';
import type { ConfigIssue } from 'sluice/api';
import { PrefixTable, parseCidr, parseIpv4 } from './prefix-table.ts';
import { geoLookupSpec } from './spec.ts';

export const geoLookup = definePlugin({
  kind: 'operator',
  name: 'geo_lookup',
  summary: 'Adds a value (e.g. a country code) found by the longest IPv4 prefix matching a field.',
  description: [
    'Looks the record\'s IPv4 address up in a prefix table given in the config and writes the',
    'value of the longest matching prefix to `into`. Keys, changelog and event time pass',
    'through unchanged. An address that does not parse is dead-lettered with reason',
    '`invalid_ip` (or given the default, with `invalid: default`).',
  ].join('\n'),
  spec: geoLookupSpec,
  inputs: { min: 1, max: 1 },
  keyed: false,
  check(config) {
    const issues: ConfigIssue[] = [];
    for (const cidr of Object.keys(config.prefixes)) {
      if (!parseCidr(cidr)) issues.push({ path: ['prefixes', cidr], message: `'${cidr}' is not an IPv4 prefix such as 10.0.0.0/8`, severity: 'error' });
    }
    return issues;
  },
  plan(config, [input]) {
    return { output: { ...input!, fields: input!.fields ? { ...input!.fields, [config.into]: 'string' } : undefined } };
  },
  create({ config }) {
    const table = PrefixTable.from(config.prefixes);
    const fallback = config.default ?? null;
    const { field: from, into } = config;
    return {
      processBatch(batch, _input, ctx) {
        const { values, times, kinds, provenance } = batch;
        for (let i = 0; i < batch.length; i++) {
          const row = values[i]!;
          const raw = row[from];
          let value: string | null = fallback;
          if (raw !== undefined && raw !== null) {
            const address = typeof raw === 'string' ? parseIpv4(raw) : undefined;
            if (address !== undefined) value = table.lookup(address) ?? fallback;
            else if (config.invalid === 'dead_letter') {
              ctx.fail(i, new RecordError('invalid_ip', `${from}: ${String(raw).slice(0, 64)} is not an IPv4 address`));
              continue;
            }
          }
          ctx.emit({ ...row, [into]: value }, times[i]!, kinds?.[i], provenance?.[i]);
        }
      },
    };
  },
});
