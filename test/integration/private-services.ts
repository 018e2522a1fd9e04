/**
 * A test's own Kafka broker and NATS server, started by scripts/services with other ports and
 * another run folder (the jars and binaries come from the shared cache). A test that restarts a
 * service restarts its own instance, so the shared services other tests use never go down.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../cli/sluice.ts';
import { freePort } from './flagship-production.ts';

const exec = promisify(execFile);

export type PrivateService = 'kafka' | 'nats';

export class PrivateServices {
  private constructor(
    readonly dir: string,
    private readonly ports: Readonly<Record<string, number>>,
  ) {}

  /** Picks free ports and a run folder; nothing is started yet. */
  static async create(): Promise<PrivateServices> {
    const names = ['SLUICE_KAFKA_PORT', 'SLUICE_KAFKA_CONTROLLER_PORT', 'SLUICE_NATS_PORT', 'SLUICE_NATS_MONITOR_PORT'];
    const ports: Record<string, number> = {};
    for (const n of names) ports[n] = await freePort();
    return new PrivateServices(mkdtempSync(join(tmpdir(), 'sluice-private-services-')), ports);
  }

  get kafkaBrokers(): string[] {
    return [`127.0.0.1:${this.ports['SLUICE_KAFKA_PORT']}`];
  }

  get natsServers(): string[] {
    return [`127.0.0.1:${this.ports['SLUICE_NATS_PORT']}`];
  }

  /** The environment of the flagship's pipelines (produce_traffic and the job) pointing at these services. */
  get pipelineEnv(): Record<string, string> {
    return { KAFKA_BROKERS: this.kafkaBrokers[0]!, NATS_SERVERS: this.natsServers[0]! };
  }

  up(...services: PrivateService[]): Promise<string> {
    return this.run('up', services);
  }

  /** A graceful stop (SIGTERM, then SIGKILL after the service's grace period). */
  down(...services: PrivateService[]): Promise<string> {
    return this.run('down', services);
  }

  /** Stops everything and deletes the run folder (data, logs). */
  async dispose(): Promise<void> {
    await this.run('down', []).catch(() => '');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(command: string, services: readonly string[]): Promise<string> {
    const env = { ...process.env, SLUICE_SERVICES_DIR: this.dir, ...Object.fromEntries(Object.entries(this.ports).map(([k, v]) => [k, String(v)])) };
    const { stderr } = await exec('bash', [join(REPO, 'scripts/services'), command, ...(services.length ? services : ['kafka', 'nats'])], { env, maxBuffer: 16 * 1024 * 1024 });
    return stderr;
  }
}
