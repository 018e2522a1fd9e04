/**
 * Connection fields shared by the `kafka` source and sink (brokers, client id, SASL, TLS),
 * and their translation to a `KafkaConnection`.
 */
import { readFile } from 'node:fs/promises';
import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';
import type { KafkaConnection } from './client.ts';
import { runtimeSasl } from './runtime-sasl.ts';

export const saslSpec = field.object(
  {
    mechanism: field.enum(['plain', 'scram-sha-256', 'scram-sha-512'] as const, { doc: 'SASL mechanism.', default: 'plain' }),
    username: field.string({ doc: 'SASL user name.', example: '${KAFKA_USER}', minLength: 1 }),
    password: field.string({ doc: 'SASL password; interpolate it from the environment (`${KAFKA_PASSWORD}`), never commit it.', example: '${KAFKA_PASSWORD}', secret: true }),
  },
  { doc: 'Authenticate with SASL; absent: no authentication.', optional: true },
);

export const tlsSpec = field.object(
  {
    enabled: field.boolean({ doc: 'Connect over TLS.', default: true }),
    ca: field.string({ doc: 'PEM file of the certificate authorities to trust; absent: the system\'s.', optional: true, example: '/etc/kafka/ca.pem' }),
    cert: field.string({ doc: 'PEM file of the client certificate (mutual TLS).', optional: true }),
    key: field.string({ doc: 'PEM file of the client certificate\'s private key (mutual TLS).', optional: true }),
    reject_unauthorized: field.boolean({ doc: 'Refuse a broker whose certificate does not verify. Turn off only against a test broker.', default: true }),
  },
  { doc: 'TLS options; absent: plaintext.', optional: true },
);

/** The connection fields; spread them into a plugin's `field.object({...})`. */
export const connectionFields = {
  brokers: field.array(field.string({ doc: 'A bootstrap broker, `host:port`.', minLength: 1 }), {
    doc: 'Bootstrap brokers.',
    example: ['${KAFKA_BROKERS:-127.0.0.1:9092}'],
    minItems: 1,
  }),
  client_id: field.string({ doc: 'Client id the brokers see (quotas, logs); default `sluice-<job>-<block id>`.', optional: true, minLength: 1 }),
  sasl: saslSpec,
  tls: tlsSpec,
  connection_timeout: field.duration({ doc: 'Time allowed to open a connection to a broker.', default: '10s', min: 1 }),
  request_timeout: field.duration({ doc: 'Time allowed for a broker to answer a request.', default: '30s', min: 1 }),
};

export interface ConnectionConfig {
  readonly brokers: readonly string[];
  readonly client_id?: string | undefined;
  readonly sasl?: Infer<typeof saslSpec> | undefined;
  readonly tls?: Infer<typeof tlsSpec> | undefined;
  readonly connection_timeout: number;
  readonly request_timeout: number;
}

/**
 * Brokers may be given as one comma-separated string (what `${KAFKA_BROKERS}` usually
 * holds) or as a list; both are split here.
 */
/** The connection fields of a source or sink config, without its client id (left to its default). */
export function connectionOf<C extends ConnectionConfig>(c: C): Pick<C, 'brokers' | 'sasl' | 'tls' | 'connection_timeout' | 'request_timeout'> {
  const { brokers, sasl, tls, connection_timeout, request_timeout } = c;
  return { brokers, connection_timeout, request_timeout, ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) };
}

export function brokerList(brokers: readonly string[]): string[] {
  return brokers.flatMap((b) => b.split(',')).map((b) => b.trim()).filter(Boolean);
}

/**
 * Translates the config to a connection, reading the TLS PEM files. A block without `sasl`
 * takes the runtime config's `kafka.sasl` when one is set (runtime-sasl.ts).
 */
export async function toConnection(config: ConnectionConfig, defaultClientId: string): Promise<KafkaConnection> {
  const { tls } = config;
  const sasl = config.sasl ?? runtimeSasl();
  const read = (path: string | undefined) => (path === undefined ? Promise.resolve(undefined) : readFile(path, 'utf8'));
  const [ca, cert, key] = tls?.enabled ? await Promise.all([read(tls.ca), read(tls.cert), read(tls.key)]) : [];
  return {
    brokers: brokerList(config.brokers),
    clientId: config.client_id ?? defaultClientId,
    connectionTimeoutMs: config.connection_timeout,
    requestTimeoutMs: config.request_timeout,
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } } : {}),
    ...(tls?.enabled
      ? { tls: { rejectUnauthorized: tls.reject_unauthorized, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } }
      : {}),
  };
}

/** `create_topics`: the topics the pipeline needs, created at start when missing. */
export const createTopicsSpec = field.object(
  {
    partitions: field.integer({ doc: 'Partitions of a created topic.', default: 3, min: 1 }),
    replication_factor: field.integer({ doc: 'Replicas of a created topic (1 on a one-broker cluster).', default: 1, min: 1 }),
  },
  { doc: 'Create the topic(s) at start when they do not exist (existing topics are left as they are); absent: never create.', optional: true },
);
