/**
 * Connection options shared by the NATS plugins (`nats_jetstream`, `nats`, `nats_kv`):
 * one spec fragment spread into each plugin's spec, and `connectNats` to open a connection
 * from it. Secrets (`password`, `token`) are declared `secret: true` so they are redacted
 * wherever config is printed.
 */
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

const tlsSpec = field.object(
  {
    ca_file: field.string({ doc: 'PEM file of the certificate authority that signed the server certificate.', optional: true }),
    cert_file: field.string({ doc: 'PEM client certificate, for servers that verify clients (mutual TLS).', optional: true }),
    key_file: field.string({ doc: 'PEM private key of `cert_file`.', optional: true }),
  },
  { doc: 'Connect with TLS; give the files the server needs. Absent: plain TCP unless the server requires TLS.', optional: true },
);

/** Spread into a plugin spec: `field.object({ ...natsConnectionFields, stream: … })`. */
export const natsConnectionFields = {
  servers: field.array(field.string({ doc: 'A server as `host:port` or `nats://host:port`.' }), {
    doc: 'NATS servers to connect to; the client picks one and fails over to the others.',
    default: ['127.0.0.1:4222'],
    minItems: 1,
  }),
  user: field.string({ doc: 'User name for user/password authentication.', optional: true }),
  password: field.string({ doc: 'Password of `user`. Give it as `${NATS_PASSWORD}`, never committed.', optional: true, secret: true }),
  token: field.string({ doc: 'Token authentication. Give it as `${NATS_TOKEN}`, never committed.', optional: true, secret: true }),
  tls: tlsSpec,
  connect_timeout: field.duration({ doc: 'How long to wait for the first connection before failing.', default: '5s', min: 1 }),
};

const connectionSpec = field.object(natsConnectionFields);
export type NatsConnectionConfig = Infer<typeof connectionSpec>;

/** The client options for a connection config (exported for tests). */
export function connectionOptions(config: NatsConnectionConfig, name: string): NodeConnectionOptions {
  const options: NodeConnectionOptions = { servers: [...config.servers], name, timeout: config.connect_timeout, maxReconnectAttempts: -1 };
  if (config.user !== undefined) options.user = config.user;
  if (config.password !== undefined) options.pass = config.password;
  if (config.token !== undefined) options.token = config.token;
  if (config.tls) {
    options.tls = {
      ...(config.tls.ca_file ? { caFile: config.tls.ca_file } : {}),
      ...(config.tls.cert_file ? { certFile: config.tls.cert_file } : {}),
      ...(config.tls.key_file ? { keyFile: config.tls.key_file } : {}),
    };
  }
  return options;
}

/** Opens a connection; `name` shows in the server's connection list (`sluice <job>/<block>`). */
export async function connectNats(config: NatsConnectionConfig, name: string): Promise<NatsConnection> {
  // Loaded on first connect: lint and docs import the NATS plugins without connecting.
  const { connect } = await import('@nats-io/transport-node');
  return connect(connectionOptions(config, name));
}

/** Closes a connection after flushing what it buffered; never throws. */
export async function closeNats(nc: NatsConnection | undefined): Promise<void> {
  if (!nc || nc.isClosed()) return;
  try {
    await nc.drain();
  } catch {
    await nc.close().catch(() => undefined);
  }
}
