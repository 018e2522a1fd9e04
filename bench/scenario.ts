/** What a benchmark scenario is and what one run of it reports. */

export interface ScenarioOptions {
  /** Events to generate (pipelines) or lines/records to process (micro benchmarks). */
  readonly events: number;
  /** Distinct keys, for the keyed scenarios. */
  readonly keys: number;
}

/** One run, measured in a fresh process. */
export interface RunResult {
  readonly events: number;
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly peak_rss_mb: number;
  /** How the pipeline ran: `engine` (runJob) or `host` (operator hosts driven directly). */
  readonly driver?: 'engine' | 'host' | 'micro';
  /** Largest number of keys held in state during the run, and its serialised bytes then. */
  readonly state_keys?: number;
  readonly state_bytes?: number;
  /** Bytes processed (micro benchmarks). */
  readonly bytes?: number;
  /** Records out of the last stage. */
  readonly records_out?: number;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** Default events and keys (the command line may scale them). */
  readonly events: number;
  readonly keys?: number;
  /** Needs the real Kafka broker (`scripts/services up`): run only when named in `--only`. */
  readonly needsKafka?: boolean;
  /** Runs once in the current process; measures only the section it is about. */
  run(options: ScenarioOptions): Promise<RunResult>;
}
