/**
 * `map` at run time. Expressions are compiled once; per record the new values are
 * evaluated first (against the input record), then one output object is built: for
 * `project` one object literal of the new fields (generated once), else a spread copy, or
 * a field-by-field copy when fields are dropped (no `delete`, which would turn every
 * output row into a slow dictionary-mode object).
 */
import { rowBuilder } from '../../core/api/index.ts';
import type { CompiledExpression, ExpressionCompiler, OperatorInstance, Row } from '../../core/api/index.ts';
import type { MapConfig } from './spec.ts';

function compileAll(exprs: Record<string, string>, compiler: ExpressionCompiler): { names: string[]; compiled: CompiledExpression[] } {
  const names = Object.keys(exprs);
  return { names, compiled: names.map((n) => compiler.compile(exprs[n]!, 'record')) };
}

export function createMap(config: MapConfig, compiler: ExpressionCompiler): OperatorInstance {
  const projecting = config.project !== undefined;
  const { names, compiled } = compileAll(config.project ?? config.set ?? {}, compiler);
  const n = names.length;
  const dropped = new Set(config.drop ?? []);
  const dropping = dropped.size > 0;
  const values = new Array<unknown>(n);
  const project = projecting && !names.includes('__proto__') ? rowBuilder(names) : undefined;

  return {
    processBatch(batch, _input, ctx) {
      const rows = batch.values;
      const { times, kinds, provenance } = batch;
      records: for (let i = 0; i < batch.length; i++) {
        const row = rows[i]!;
        for (let k = 0; k < n; k++) {
          try {
            values[k] = compiled[k]!.evaluate(row);
          } catch (error) {
            ctx.fail(i, error);
            continue records;
          }
        }
        if (project) {
          ctx.emit(project(values), times[i]!, kinds?.[i], provenance?.[i]);
          continue;
        }
        let out: Row;
        if (projecting) out = {};
        else if (!dropping) out = { ...row };
        else {
          out = {};
          for (const key in row) if (!dropped.has(key) && Object.hasOwn(row, key)) out[key] = row[key];
        }
        for (let k = 0; k < n; k++) if (!dropping || !dropped.has(names[k]!)) out[names[k]!] = values[k];
        ctx.emit(out, times[i]!, kinds?.[i], provenance?.[i]);
      }
    },
  };
}
