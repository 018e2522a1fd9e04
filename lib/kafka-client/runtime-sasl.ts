/**
 * The runtime config's `kafka.sasl` (config/schema.ts): a deployment-wide SASL default for
 * every Kafka connection of the process whose block has no `sasl` of its own (a block's own
 * `sasl` wins). `sluice run` sets it once from the job's runtime config; `toConnection`
 * (connection-spec.ts) reads it, so the sources, sinks, consumer-group and fence clients and
 * the internal repartition topics (core/runtime/scale/stages.ts) all get it. An empty
 * `username` means no default. The password is held here and handed to the client only: it
 * is not logged (the job's logger redacts the runtime config's secrets in any case).
 */
export interface RuntimeSasl {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

let current: RuntimeSasl | undefined;

/** Sets (or, with no `username`, clears) the process's default from the runtime config's `kafka.sasl`. */
export function useRuntimeSasl(sasl: RuntimeSasl | undefined): void {
  current = sasl && sasl.username !== '' ? Object.freeze({ mechanism: sasl.mechanism, username: sasl.username, password: sasl.password }) : undefined;
}

/** The default in force, if any. */
export function runtimeSasl(): RuntimeSasl | undefined {
  return current;
}
