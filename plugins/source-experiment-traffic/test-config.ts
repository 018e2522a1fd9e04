/** Test helper: a parsed config from partial raw fields, defaults applied by the spec. */
import { parseOperatorConfig } from '../../core/testing/index.ts';
import { trafficSpec } from './spec.ts';
import type { TrafficConfig } from './spec.ts';

export function trafficConfig(raw: Record<string, unknown> = {}): TrafficConfig {
  return parseOperatorConfig({ name: 'experiment_traffic', spec: trafficSpec } as never, raw) as TrafficConfig;
}
