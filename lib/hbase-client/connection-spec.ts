/** Connection fields shared by the `hbase` sink and the `hbase` checkpoint store. */
import { field } from '../../core/api/index.ts';
import type { RestClientOptions } from './rest-client.ts';

export const hbaseConnectionFields = {
  host: field.string({ doc: 'Host of the HBase REST server.', default: '127.0.0.1', minLength: 1 }),
  port: field.integer({ doc: 'Port of the HBase REST server.', default: 8080, min: 1, max: 65535 }),
  protocol: field.enum(['http', 'https'] as const, { doc: 'Protocol of the HBase REST server.', default: 'http' }),
  timeout: field.duration({ doc: 'Per-request timeout; a request that takes longer fails as transient.', default: '30s', min: 1 }),
  create_table: field.boolean({ doc: 'Create the table (and its family) at start when it does not exist.', default: true }),
};

export function restOptions(config: { host: string; port: number; protocol: 'http' | 'https'; timeout: number }): RestClientOptions {
  return { host: config.host, port: config.port, protocol: config.protocol, timeoutMs: config.timeout };
}
