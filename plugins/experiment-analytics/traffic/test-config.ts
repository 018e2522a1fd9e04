/** Test helper: a parsed config from partial raw fields, defaults applied by the spec. */
import { parseOperatorConfig } from 'sluice/testing';
import { trafficSpec } from './spec.ts';
import type { TrafficConfig } from './spec.ts';

export function trafficConfig(raw: Record<string, unknown> = {}): TrafficConfig {
  return parseOperatorConfig({ name: 'experiment_traffic', spec: trafficSpec } as never, raw) as TrafficConfig;
}
