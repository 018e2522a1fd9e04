/**
 * `route` at run time. All predicates a record needs are evaluated before it is emitted
 * anywhere, so an expression error dead-letters the record without a partial fan-out.
 */
import { RecordError } from '../../core/api/index.ts';
import type { ExpressionCompiler, OperatorInstance } from '../../core/api/index.ts';
import type { RouteConfig } from './spec.ts';

function notBool(source: string, value: unknown): RecordError {
  return new RecordError('expr_error', `CEL ${JSON.stringify(source)}: a route predicate must be true or false, got ${JSON.stringify(value) ?? typeof value}`);
}

export function createRoute(config: RouteConfig, compiler: ExpressionCompiler): OperatorInstance {
  const names = Object.keys(config.routes);
  const predicates = names.map((n) => compiler.compile(config.routes[n]!, 'record'));
  const n = names.length;
  const all = config.mode === 'all';
  const fallback = config.default;
  const matched = new Uint8Array(n);

  return {
    processBatch(batch, _input, ctx) {
      const { values, times, kinds, provenance } = batch;
      records: for (let i = 0; i < batch.length; i++) {
        const row = values[i]!;
        let hits = 0;
        for (let r = 0; r < n; r++) {
          let result: unknown;
          try {
            result = predicates[r]!.evaluate(row);
          } catch (error) {
            ctx.fail(i, error);
            continue records;
          }
          if (result !== true && result !== false) {
            ctx.fail(i, notBool(predicates[r]!.source, result));
            continue records;
          }
          matched[r] = result ? 1 : 0;
          if (result) {
            hits++;
            if (!all) {
              for (let rest = r + 1; rest < n; rest++) matched[rest] = 0;
              break;
            }
          }
        }
        const time = times[i]!;
        const kind = kinds?.[i];
        const prov = provenance?.[i];
        if (hits === 0) {
          if (fallback === undefined) ctx.emit(row, time, kind, prov);
          else ctx.emitTo(fallback, row, time, kind, prov);
          ctx.count('unrouted');
          continue;
        }
        for (let r = 0; r < n; r++) if (matched[r] === 1) ctx.emitTo(names[r]!, row, time, kind, prov);
      }
    },
  };
}
