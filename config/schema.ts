/**
 * The runtime's configuration: a convict schema. Every field has a `doc`, a `format`, a
 * `default` and an `env` variable; secrets are `sensitive` and redacted wherever config is
 * printed or logged.
 *
 * Layers, lowest first: the schema defaults < `config/default.yaml` <
 * `config/<NODE_ENV>.yaml` < environment variables < `--set a.b=c` on the command line.
 * `core/runtime/config/load.ts` loads and validates each layer on its own so that an error
 * names its file, line and column (or its variable or flag); `sluice config` prints the
 * effective values and where each came from.
 *
 * Durations are written as in pipelines (`10s`, `1m`, `250ms`) and parsed to milliseconds.
 */
import convict from 'convict';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../core/api/time.ts';

/** The typed, validated runtime configuration (durations in milliseconds). */
export interface RuntimeConfig {
  job: { state_dir: string; tasks: boolean; task_session_timeout: number };
  checkpoint: {
    interval: number;
    timeout: number;
    tolerable_failures: number;
    retain: number;
    unaligned: boolean;
    store: string;
    hbase: { host: string; port: number; table: string };
  };
  restart: { max_attempts: number; backoff: { initial: number; max: number } };
  engine: { batch_size: number; queue_capacity: number; clock: 'system' | 'logical'; mini_batch: { max_rows: number; max_delay: number }; cel_max_cost: number };
  state: { backend: string; max_keys: number };
  tracing: { exporter: 'none' | 'otlp' | 'memory'; endpoint: string; sample_ratio: number; checkpoint_sample_ratio: number };
  metrics: { port: number; host: string };
  ui: { port: number; host: string; token: string; jaeger_url: string };
  log: { level: LogLevel };
  kafka: { sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } };
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function fail(message: string): never {
  throw new Error(message);
}

/**
 * Named formats, so string values from the environment and `--set` are coerced strictly
 * (convict's built-in `int` would read `12abc` as 12).
 */
convict.addFormats({
  duration: {
    validate: (v: unknown) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail('must be a duration such as 10s, 1m or 250ms');
    },
    coerce: (v: string) => parseDuration(v) ?? v,
  },
  natural: {
    validate: (v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 0) fail('must be an integer ≥ 0');
    },
    coerce: (v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : v),
  },
  positive: {
    validate: (v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 1) fail('must be an integer ≥ 1');
    },
    coerce: (v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : v),
  },
  tcp_port: {
    validate: (v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535) fail('must be a port, 0 to 65535');
    },
    coerce: (v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : v),
  },
  ratio: {
    validate: (v: unknown) => {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail('must be a number from 0 to 1');
    },
    coerce: (v: string) => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
  },
  plugin_name: {
    validate: (v: unknown) => {
      if (typeof v !== 'string' || !/^[a-z][a-z0-9_]*$/.test(v)) fail('must be a plugin name in snake_case');
    },
  },
  text: {
    validate: (v: unknown) => {
      if (typeof v !== 'string') fail('must be a string');
    },
  },
  flag: {
    validate: (v: unknown) => {
      if (typeof v !== 'boolean') fail('must be true or false');
    },
    coerce: (v: string) => (v.trim() === 'true' ? true : v.trim() === 'false' ? false : v),
  },
});

// Lets `convict(...).loadFile('x.yaml')` read YAML. The runtime's own loader parses the files
// itself to keep line and column of every value (core/runtime/config/yaml-layer.ts).
convict.addParser({ extension: ['yaml', 'yml'], parse: (text: string) => parseYaml(text) as unknown });

export const runtimeConfigSchema: convict.Schema<RuntimeConfig> = {
  job: {
    state_dir: {
      doc: 'Folder for the job\'s local state; checkpoints go to <state_dir>/checkpoints/<job>.',
      format: 'text',
      default: '.sluice',
      env: 'SLUICE_JOB_STATE_DIR',
    },
    tasks: {
      doc: 'Run the job as tasks, one per partition of its Kafka sources\' topics (which must have equal partition counts), shared by every process started with the same pipeline and config through the consumer group sluice.<job>.tasks. Each task checkpoints on its own (<job>.task-<p> in the checkpoint store); a process that gains a task restores it and replays from its positions. Keyed stages must be keyed by what the topics are partitioned by (no repartitioning yet). `sluice run --workers N` sets it.',
      format: 'flag',
      default: false,
      env: 'SLUICE_JOB_TASKS',
    },
    task_session_timeout: {
      doc: 'With job.tasks: a process silent this long loses its tasks to the others (Kafka group session timeout; the broker allows 6s to 5m by default). It also caps the session of each task\'s own Kafka consumer groups, so a moved task\'s new owner does not wait longer for the dead process to leave them.',
      format: 'duration',
      default: 10_000,
    },
  },
  checkpoint: {
    interval: {
      doc: 'Time between the starts of two checkpoints.',
      format: 'duration',
      default: 10_000,
      env: 'SLUICE_CHECKPOINT_INTERVAL',
    },
    timeout: {
      doc: 'A checkpoint not complete after this long is declined; the job goes on.',
      format: 'duration',
      default: 60_000,
      env: 'SLUICE_CHECKPOINT_TIMEOUT',
    },
    tolerable_failures: {
      doc: 'Consecutive declined checkpoints the job tolerates; one more fails the job.',
      format: 'natural',
      default: 3,
      env: 'SLUICE_CHECKPOINT_TOLERABLE_FAILURES',
    },
    retain: {
      doc: 'Complete checkpoints kept; older ones are pruned.',
      format: 'positive',
      default: 3,
      env: 'SLUICE_CHECKPOINT_RETAIN',
    },
    unaligned: {
      doc: 'Unaligned checkpoints: the sources pause only until every stage is between two batches; the batches still queued between stages go into the checkpoint and are handed on again on a restore, so the pause does not grow with what is queued. false: aligned (the queues drain first). Savepoints are always aligned.',
      format: 'flag',
      default: true,
      env: 'SLUICE_CHECKPOINT_UNALIGNED',
    },
    store: {
      doc: 'Checkpoint store plugin (kind checkpoint_store): `folder` on the embedded default, `hbase` in production.',
      format: 'plugin_name',
      default: 'folder',
      env: 'SLUICE_CHECKPOINT_STORE',
    },
    hbase: {
      host: {
        doc: 'HBase REST server of the `hbase` checkpoint store.',
        format: 'text',
        default: '127.0.0.1',
        env: 'SLUICE_CHECKPOINT_HBASE_HOST',
      },
      port: {
        doc: 'Port of that HBase REST server.',
        format: 'tcp_port',
        default: 8080,
        env: 'SLUICE_CHECKPOINT_HBASE_PORT',
      },
      table: {
        doc: 'Table holding the checkpoints of every job (rows prefixed by the job name); created when missing.',
        format: 'text',
        default: 'sluice_checkpoints',
        env: 'SLUICE_CHECKPOINT_HBASE_TABLE',
      },
    },
  },
  restart: {
    max_attempts: {
      doc: 'Restarts from the last checkpoint before a failing job gives up; 0 never restarts.',
      format: 'natural',
      default: 3,
      env: 'SLUICE_RESTART_MAX_ATTEMPTS',
    },
    backoff: {
      initial: {
        doc: 'Wait before the first restart; doubled for each further attempt.',
        format: 'duration',
        default: 1_000,
        env: 'SLUICE_RESTART_BACKOFF_INITIAL',
      },
      max: {
        doc: 'Longest wait between two restarts.',
        format: 'duration',
        default: 60_000,
        env: 'SLUICE_RESTART_BACKOFF_MAX',
      },
    },
  },
  engine: {
    batch_size: {
      doc: 'Most records in one batch handed from a stage to the next.',
      format: 'positive',
      default: 1024,
      env: 'SLUICE_ENGINE_BATCH_SIZE',
    },
    queue_capacity: {
      doc: 'Batches buffered per edge of the graph before the upstream stage is back-pressured.',
      format: 'positive',
      default: 8,
      env: 'SLUICE_ENGINE_QUEUE_CAPACITY',
    },
    clock: {
      doc: 'Processing-time clock: `system` (wall clock) or `logical` (moved by the runtime, for reproducible runs).',
      format: ['system', 'logical'],
      default: 'system',
      env: 'SLUICE_ENGINE_CLOCK',
    },
    mini_batch: {
      max_rows: {
        doc: 'Upsert outputs (e.g. counts) are compacted per key before they go downstream: each key keeps only its latest change until this many distinct keys are held, `max_delay` has passed, or the job checkpoints. 0 turns compaction off.',
        format: 'natural',
        default: 10_000,
        env: 'SLUICE_ENGINE_MINI_BATCH_MAX_ROWS',
      },
      max_delay: {
        doc: 'Longest an upsert change is held for compaction (real time); bounds the latency it adds.',
        format: 'duration',
        default: 100,
        env: 'SLUICE_ENGINE_MINI_BATCH_MAX_DELAY',
      },
    },
    cel_max_cost: {
      doc: 'Most comprehension iterations (map, filter, all, exists, exists_one, nested ones counted) one CEL evaluation may run; a record whose evaluation goes over is dead-lettered with reason cel_cost_exceeded.',
      format: 'positive',
      default: 1_000_000,
      env: 'SLUICE_ENGINE_CEL_MAX_COST',
    },
  },
  state: {
    backend: {
      doc: 'State backend plugin (kind state_store) holding keyed state.',
      format: 'plugin_name',
      default: 'memory',
      env: 'SLUICE_STATE_BACKEND',
    },
    max_keys: {
      doc: 'Most keys one operator may hold in keyed state (checked after each batch, timer and watermark); over it the job fails with an error naming the operator, its key count and this setting. 0: no limit.',
      format: 'natural',
      default: 0,
      env: 'SLUICE_STATE_MAX_KEYS',
    },
  },
  tracing: {
    exporter: {
      doc: 'Where spans go: `none`, `otlp` (to tracing.endpoint) or `memory` (kept in process, for tests).',
      format: ['none', 'otlp', 'memory'],
      default: 'none',
      env: 'SLUICE_TRACING_EXPORTER',
    },
    endpoint: {
      doc: 'OTLP/HTTP endpoint of the trace collector (Jaeger accepts OTLP natively).',
      format: 'text',
      default: 'http://127.0.0.1:4318',
      env: 'SLUICE_TRACING_ENDPOINT',
    },
    sample_ratio: {
      doc: 'Share of batch traces kept, decided at each source poll (the root) for the batch\'s whole path, 0 to 1 (1.0 in tests, 0.01 in production).',
      format: 'ratio',
      default: 1,
      env: 'SLUICE_TRACING_SAMPLE_RATIO',
    },
    checkpoint_sample_ratio: {
      doc: 'Share of checkpoint traces kept (a root span per checkpoint, a child per block), 0 to 1.',
      format: 'ratio',
      default: 1,
      env: 'SLUICE_TRACING_CHECKPOINT_SAMPLE_RATIO',
    },
  },
  metrics: {
    port: {
      doc: 'Port of the operations endpoint served by `sluice run` (Prometheus /metrics, /ready, and POST /savepoints from loopback for `sluice savepoint`); 0 turns it off (9464 is the conventional port).',
      format: 'tcp_port',
      default: 0,
      env: 'SLUICE_METRICS_PORT',
    },
    host: {
      doc: 'Address the metrics endpoint binds to; loopback unless you mean to expose it.',
      format: 'text',
      default: '127.0.0.1',
      env: 'SLUICE_METRICS_HOST',
    },
  },
  ui: {
    port: {
      doc: 'Port of the read-only job web UI served by `sluice run` (docs/ui.md); 0 leaves it off unless `sluice run --ui [port]` asks for it.',
      format: 'tcp_port',
      default: 0,
      env: 'SLUICE_UI_PORT',
    },
    host: {
      doc: 'Address the job web UI binds to; any address other than loopback requires `ui.token`.',
      format: 'text',
      default: '127.0.0.1',
      env: 'SLUICE_UI_HOST',
    },
    token: {
      doc: 'Token the web UI asks of every request (`?token=` or `Authorization: Bearer`); required when `ui.host` is not loopback. A secret: set it with SLUICE_UI_TOKEN.',
      format: 'text',
      default: '',
      env: 'SLUICE_UI_TOKEN',
      sensitive: true,
    },
    jaeger_url: {
      doc: "Base URL of the Jaeger UI the job page links each operator's spans to, when `tracing.exporter` is `otlp`.",
      format: 'text',
      default: 'http://127.0.0.1:16686',
      env: 'SLUICE_UI_JAEGER_URL',
    },
  },
  log: {
    level: {
      doc: 'Least severe log level written (JSON lines on stderr).',
      format: [...LOG_LEVELS],
      default: 'info',
      env: 'SLUICE_LOG_LEVEL',
    },
  },
  kafka: {
    sasl: {
      mechanism: {
        doc: 'SASL mechanism for Kafka clients that authenticate.',
        format: ['plain', 'scram-sha-256', 'scram-sha-512'],
        default: 'plain',
        env: 'SLUICE_KAFKA_SASL_MECHANISM',
      },
      username: {
        doc: 'SASL user name for every Kafka connection whose block has no `sasl` of its own (a block\'s own `sasl` wins); empty for no authentication.',
        format: 'text',
        default: '',
        env: 'SLUICE_KAFKA_SASL_USERNAME',
      },
      password: {
        doc: 'SASL password. A secret: set it with SLUICE_KAFKA_SASL_PASSWORD (or SLUICE_KAFKA_SASL_PASSWORD_FILE), never in a committed file.',
        format: 'text',
        default: '',
        env: 'SLUICE_KAFKA_SASL_PASSWORD',
        sensitive: true,
      },
    },
  },
};

/** A fresh convict instance that reads neither `process.env` nor `process.argv`. */
export function newRuntimeConfig(): convict.Config<RuntimeConfig> {
  return convict(runtimeConfigSchema, { env: {}, args: [] });
}
