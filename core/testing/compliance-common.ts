/**
 * What the compliance suites share: a check is a named async function that throws an
 * `AssertionError` when the plugin breaks the contract. `register` turns checks into
 * `node:test` subtests; tests of the suite itself run the checks directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PluginDefinition } from '../api/index.ts';
import { parsePluginConfig } from './config.ts';
import type { PluginContext } from './plugin-context.ts';

export interface ComplianceCheck {
  readonly name: string;
  readonly run: () => Promise<void>;
}

/** A config as written in a pipeline, or a function giving a fresh one per check (new temp paths). */
export type ConfigInput = unknown;

/** Telemetry a run is expected to emit through the plugin's context. */
export interface ExpectedTelemetry {
  /** Span names the plugin starts with `services.tracer` (at least one each). */
  readonly spans?: readonly string[];
  /** Instruments the plugin records on `services.meter` (recorded at least once each). */
  readonly metrics?: readonly string[];
}

export interface CommonComplianceOptions {
  /** A valid config, or a function returning a fresh one for each check. */
  readonly config: ConfigInput;
  /** Configs the plugin must refuse (besides one with an unknown key, always tried). */
  readonly invalidConfigs?: readonly unknown[];
  readonly expect?: ExpectedTelemetry;
}

export function configOf(options: CommonComplianceOptions): unknown {
  return typeof options.config === 'function' ? (options.config as () => unknown)() : options.config;
}

/** The config checks: the valid config parses; an unknown key and every invalid config are refused. */
export function configCheck(definition: PluginDefinition, options: CommonComplianceOptions): ComplianceCheck {
  return {
    name: 'validates its config',
    run: async () => {
      const config = configOf(options);
      parsePluginConfig(definition, config);
      const unknownKey = { ...(config as object), no_such_option_in_any_plugin: true };
      assert.throws(() => parsePluginConfig(definition, unknownKey), /no_such_option_in_any_plugin/, 'a config with an unknown key is refused');
      for (const bad of options.invalidConfigs ?? []) {
        assert.throws(() => parsePluginConfig(definition, bad), /invalid config/, `config ${JSON.stringify(bad)} is refused`);
      }
    },
  };
}

const METRIC_NAME = /^[a-z_][a-z0-9_]*$/;

/** The telemetry rules, after a run and `close`: every span ended, instruments named for Prometheus, the expected ones emitted. */
export async function assertTelemetry(context: PluginContext, expect: ExpectedTelemetry | undefined): Promise<void> {
  assert.deepEqual(context.unendedSpans(), [], 'every span the plugin started is ended by close');
  const metrics = await context.metrics();
  for (const name of metrics.keys()) assert.match(name, METRIC_NAME, `instrument '${name}' is a Prometheus-safe snake_case name`);
  const spans = new Set(context.spans().map((s) => s.name));
  for (const name of expect?.spans ?? []) assert.ok(spans.has(name), `span '${name}' is emitted (saw: ${[...spans].join(', ') || 'none'})`);
  for (const name of expect?.metrics ?? []) assert.ok(metrics.has(name), `instrument '${name}' is recorded (saw: ${[...metrics.keys()].join(', ') || 'none'})`);
}

/** Registers the checks as `node:test` subtests of one suite. */
export function register(title: string, checks: readonly ComplianceCheck[]): void {
  void describe(title, () => {
    for (const check of checks) void it(check.name, check.run);
  });
}
