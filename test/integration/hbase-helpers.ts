/**
 * Helpers for the HBase integration tests (real REST server at 127.0.0.1:8080, shared:
 * every table gets a random suffix and is dropped after the test), and a TCP proxy a test
 * can stop and start to make HBase unreachable without touching the shared server.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createRestClient } from '../../lib/hbase-client/rest-client.ts';

export const HBASE = { host: '127.0.0.1', port: 8080, protocol: 'http' as const };
export const hbase = createRestClient({ ...HBASE, timeoutMs: 30_000 });

export function uniqueTable(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Drops the tables (disable + delete); errors are ignored so cleanup never hides a failure. */
export async function dropTables(tables: readonly string[]): Promise<void> {
  for (const t of tables) await hbase.deleteTable(t).catch(() => undefined);
}

/** A TCP proxy to the REST server on an ephemeral port; `stop()` refuses and cuts connections. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  connections = 0;

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.connections++;
      const upstream = connect(HBASE.port, HBASE.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening (new connections are refused) and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
