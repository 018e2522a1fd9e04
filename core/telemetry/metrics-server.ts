/**
 * The job's HTTP endpoint for operations (docs/architecture.md §6), one small `node:http` server:
 *
 * - `GET /metrics`: every instrument of the job's MeterProvider in the Prometheus text
 *   format (the serializer of `@opentelemetry/exporter-prometheus`, fed by a metric reader
 *   of our own SDK so the exporter's pinned SDK copy never meets ours). Counters gain the
 *   `_total` suffix Prometheus requires: `sluice_records_in` is scraped as
 *   `sluice_records_in_total`.
 * - `GET /ready`: 200 while the job runs (restored and its plugins open), 503 before and
 *   after, and while an operator is stalled (a line names it: core/runtime/engine/readiness.ts). A load balancer or Kubernetes probe sends traffic only to a ready job. A process
 *   of a job run as tasks adds a line naming the tasks it owns (`tasks: task-0 task-2`).
 *
 * - `POST /savepoints`: asks the running job for a savepoint and answers when it is
 *   complete: 200 `{"savepoint": id, "checkpoint": n, "store": …}`; 500 `{"error", "code"}`
 *   when it was declined; 503 when no job attempt is running. Taken only from a loopback
 *   peer (403 otherwise), also when `metrics.host` opens `/metrics` to the network.
 *
 * Binds to `metrics.host` (loopback by default). Port 0 asks the OS for a free port (tests).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { OnDemandMetricReader } from './telemetry.ts';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Reader registered on the job's MeterProvider. */
  readonly reader: OnDemandMetricReader;
}

/** Takes a savepoint; resolves with what the endpoint answers (JSON), rejects when declined. */
export type SavepointHandler = () => Promise<{ readonly id: string; readonly checkpoint: number; readonly store: string }>;

const loopback = (address: string | undefined): boolean => address !== undefined && (/^(::ffff:)?127\./.test(address) || address === '::1');

export class MetricsServer {
  private readonly server: Server;
  private readonly serializer = new PrometheusSerializer();
  private ready = false;
  private detail = '';
  private savepoint: SavepointHandler | undefined;

  constructor(private readonly o: MetricsServerOptions) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Resolves with the bound port once listening. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** `detail`: more lines for the `/ready` body (kept until the next call that gives some). */
  setReady(ready: boolean, detail?: string): void {
    this.ready = ready;
    if (detail !== undefined) this.detail = detail;
  }

  /** The running attempt's savepoint trigger; undefined between attempts. */
  setSavepointHandler(handler: SavepointHandler | undefined): void {
    this.savepoint = handler;
  }

  close(): Promise<void> {
    this.ready = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/savepoints') {
      this.handleSavepoint(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/ready') {
      res.writeHead(this.ready ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(`${this.ready ? 'ready' : 'not ready'}\n${this.detail}`);
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics or /ready\n');
      return;
    }
    this.o.reader.collect().then(
      ({ resourceMetrics }) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.serializer.serialize(resourceMetrics));
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`# collecting metrics failed: ${(error as Error)?.message ?? String(error)}\n`);
      },
    );
  }

  private handleSavepoint(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body) + '\n');
    req.resume(); // the body, if any, says nothing
    if (req.method !== 'POST') return void json(405, { error: 'POST /savepoints takes a savepoint' }, { allow: 'POST' });
    if (!loopback(req.socket.remoteAddress)) return void json(403, { error: 'savepoints are taken from the job\'s own host only' });
    const take = this.savepoint;
    if (!take) return void json(503, { error: 'no job attempt is running (starting, restarting or stopped)', code: 'E_SAVEPOINT' });
    take().then(
      (done) => json(200, { savepoint: done.id, checkpoint: done.checkpoint, store: done.store }),
      (error: unknown) => json(500, { error: (error as Error)?.message ?? String(error), code: (error as { code?: string })?.code ?? 'E_SAVEPOINT' }),
    );
  }
}
