/**
 * The web UI's HTTP server (docs/ui.md): read-only, one `node:http` server.
 *
 * - `GET /`: the job page; `GET /<page>`: a page a plugin package contributes
 *   (contributed-pages.ts).
 * - `GET /assets/<entry>.js|css`: the pages' bundles (assets.ts).
 * - `GET /api/snapshot`: the latest `UiSnapshot`; `GET /api/events`: server-sent events,
 *   one `snapshot` event per snapshot (the latest at once on connect).
 * - `GET /api/<page>`: a contributed page's data file from the run folder (404 when there is none).
 *
 * Every other method is refused (405): the UI accepts no input. It binds to loopback unless
 * told otherwise, and any other address needs a token, which every request must then carry
 * (`?token=` or `Authorization: Bearer`; 401 otherwise).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { SluiceError } from '../api/index.ts';
import { uiAsset } from './assets.ts';
import { pageHtml } from './pages.ts';
import type { UiSnapshot } from './types.ts';
import type { UiPageDefinition } from '../api/index.ts';

/** Where the server's snapshots come from: a running job's observer, or a run folder. */
export interface SnapshotFeed {
  current(): UiSnapshot | undefined;
  /** Returns the unsubscribe function. */
  onSnapshot(listener: (s: UiSnapshot) => void): () => void;
}

export interface UiServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Required unless `host` is loopback. */
  readonly token?: string;
  readonly feed: SnapshotFeed;
  /** Pages plugin packages contribute, and how to read each one's data (its file in the run folder). */
  readonly pages?: readonly ServedPage[];
}

export interface ServedPage {
  readonly page: UiPageDefinition;
  /** The page's data (JSON text), undefined when the run has none. */
  data(): Promise<string | undefined>;
}

export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

export class UiServer {
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();

  private constructor(private readonly o: UiServerOptions) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Starts listening; refuses (`E_RUNTIME_CONFIG`) a non-loopback address without a token. */
  static async start(o: UiServerOptions): Promise<UiServer> {
    if (!isLoopbackHost(o.host) && !o.token) {
      throw new SluiceError('E_RUNTIME_CONFIG', `the web UI binds to ${o.host}, not loopback: set a token (ui.token, SLUICE_UI_TOKEN or --token) so only those who have it can read it`);
    }
    const s = new UiServer(o);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(o.port, o.host, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The page's address (with the token when there is one). */
  url(path = '/'): string {
    const host = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    return `http://${host}:${this.port}${path}${this.o.token ? `?token=${encodeURIComponent(this.o.token)}` : ''}`;
  }

  close(): Promise<void> {
    for (const res of this.streams) res.end();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private authorised(req: IncomingMessage, url: URL): boolean {
    const token = this.o.token;
    if (!token) return true;
    const header = req.headers.authorization;
    const given = url.searchParams.get('token') ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    if (given === undefined) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://ui');
    const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
    const send = (status: number, type: string, body: string | Buffer, more: Record<string, string> = {}) =>
      void res.writeHead(status, { 'content-type': type, ...headers, ...more }).end(req.method === 'HEAD' ? undefined : body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'the web UI is read-only\n', { allow: 'GET, HEAD' });
    if (!this.authorised(req, url)) return send(401, 'text/plain; charset=utf-8', 'a token is required: open the address `sluice` printed\n');
    const path = url.pathname;
    const token = this.o.token;
    const pages = this.o.pages ?? [];
    const page = pages.find((p) => path === `/${p.page.name}`);
    if (path === '/' || page) {
      const csp = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'none'";
      const html = page ? pageHtml(page.page.name, page.page.title, true, token) : pageHtml('job', 'Sluice job', false, token);
      return send(200, 'text/html; charset=utf-8', html, { 'content-security-policy': csp });
    }
    if (path.startsWith('/assets/')) {
      uiAsset(path.slice('/assets/'.length), pages.map((p) => p.page)).then(
        (asset) => (asset ? send(200, asset.type, asset.body) : send(404, 'text/plain; charset=utf-8', 'no such asset\n')),
        (error: unknown) => send(500, 'text/plain; charset=utf-8', `bundling the page failed: ${(error as Error).message}\n`),
      );
      return;
    }
    if (path === '/api/snapshot') {
      const s = this.o.feed.current();
      return s ? send(200, 'application/json; charset=utf-8', JSON.stringify(s)) : send(503, 'application/json; charset=utf-8', '{"error":"no snapshot yet"}');
    }
    if (path === '/api/events') return this.stream(res, headers);
    const data = pages.find((p) => path === `/api/${p.page.name}`);
    if (data) {
      data.data().then(
        (json) => (json ? send(200, 'application/json; charset=utf-8', json) : send(404, 'application/json; charset=utf-8', JSON.stringify({ error: `this run has no ${data.page.link}` }))),
        (error: unknown) => send(500, 'application/json; charset=utf-8', JSON.stringify({ error: (error as Error).message })),
      );
      return;
    }
    if (path === '/favicon.ico') return send(204, 'image/x-icon', '');
    send(404, 'text/plain; charset=utf-8', `not found: try ${['/', ...pages.map((p) => `/${p.page.name}`)].join(' or ')}\n`);
  }

  private stream(res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', ...headers });
    const write = (s: UiSnapshot) => res.write(`event: snapshot\nid: ${s.seq}\ndata: ${JSON.stringify(s)}\n\n`);
    const first = this.o.feed.current();
    if (first) write(first);
    else res.write(': waiting for the first snapshot\n\n');
    const stop = this.o.feed.onSnapshot(write);
    this.streams.add(res);
    res.on('close', () => {
      stop();
      this.streams.delete(res);
    });
  }
}
