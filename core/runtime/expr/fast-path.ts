/**
 * A fast path for the CEL the pipelines use: field access (`action`, `left.epoch_end`,
 * `self.x`), literals, `==` `!=` `<` `<=` `>` `>=`, `&&` `||` `!`, `? :`, `in` on lists and
 * maps, `has(x.f)`, compiled once from cel-js's checked AST into one straight-line JavaScript
 * function per expression (generated code, so every field read is a monomorphic property
 * load instead of a shared, megamorphic closure's).
 *
 * The contract is cel-js's result, exactly. The generated code handles only the operand kinds whose
 * outcome it is sure of (strings, numbers, booleans, null, plain objects and arrays from
 * JSON) and returns `BAIL` for anything else: a missing field, a type mismatch, a value of
 * another kind. A `BAIL` anywhere makes the caller evaluate the record with cel-js, which
 * then gives the value or throws the error it always gave (errors are rare; they cost one
 * more evaluation). An expression with anything outside the subset is not compiled here.
 *
 * Numbers: JSON numbers are CEL doubles and integer literals CEL ints; cel-js compares them
 * numerically (`double == int` is registered in environment.ts), so an int literal within
 * ±2^53 is compiled as the equal double. Larger ones are not compiled.
 *
 * The generated source holds field names and literals only as JSON string/number literals
 * (`JSON.stringify`), and identifiers only from cel-js's parser: no text of the expression
 * reaches it unquoted.
 */
import type { ExprScope } from '../../api/index.ts';
import { SELF } from './environment.ts';
import { BAIL, hasOwn, isPrimitive, known, literal, member, source } from './fast-path-values.ts';

export { BAIL } from './fast-path-values.ts';

export type FastEval = (vars: Record<string, unknown>) => unknown;

/** The subset of cel-js's AST node the compiler reads. */
interface Node {
  readonly op: string;
  readonly args: unknown;
  readonly meta?: { readonly alternate?: unknown; readonly macro?: unknown };
}

class Unsupported extends Error {}

/** What a compiled node gives: the local holding its value, and a literal's value when it is one. */
interface Out {
  readonly name: string;
  readonly constant?: { value: unknown };
}

/** Emits JavaScript statements for one expression; each node's value lands in a `const`/`let` local. */
class Emitter {
  private next = 0;
  /** Constants the generated code reads as `K[i]` (literal lists and their sets). */
  readonly constants: unknown[] = [];

  constructor(private readonly scope: ExprScope) {}

  private local(): string {
    return `t${this.next++}`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  /**
   * Emits `node` into `out`. A variable's or field's value is not checked here: every
   * consumer checks the kinds it accepts (a plain object to select from, same-type
   * primitives to compare, booleans for logic) and bails on the rest, and the result is
   * checked once at the end.
   */
  node(node: Node, out: string[]): Out {
    if (node.meta?.alternate !== undefined) throw new Unsupported();
    const args = node.args as Node[];
    const t = this.local();
    switch (node.op) {
      case 'value':
      case '-_': {
        const inner = node.op === '-_' ? (node.args as Node) : node;
        if (inner.op !== 'value' || inner.meta?.alternate !== undefined) throw new Unsupported();
        const raw = inner.args;
        const v = node.op === 'value' ? literal(raw) : typeof raw === 'number' || typeof raw === 'bigint' ? literal(-raw) : BAIL;
        if (v === BAIL) throw new Unsupported();
        out.push(`const ${t} = ${source(v)};`);
        return { name: t, constant: { value: v } };
      }
      case 'list': {
        const items = args.map((a) => (a.op === 'value' && a.meta?.alternate === undefined ? literal(a.args) : BAIL));
        if (items.includes(BAIL)) throw new Unsupported();
        out.push(`const ${t} = ${this.constant(items)};`);
        return { name: t, constant: { value: items } };
      }
      case 'id': {
        const name = node.args as string;
        // cel-js reads a variable as `context[name]` (prototype included), then rejects what
        // it cannot type; the consumer checks the kind (see `node`).
        out.push(this.scope === 'record' && name === SELF ? `const ${t} = vars;` : `const ${t} = vars[${JSON.stringify(name)}];`);
        return { name: t };
      }
      case '.': {
        const obj = this.node(args[0]!, out).name;
        const key = JSON.stringify(args[1] as unknown as string);
        // cel-js: a plain object's own key with a value, else `No such key`.
        out.push(
          `if (typeof ${obj} !== "object" || ${obj} === null || ${obj}.constructor !== Object || !hasOwn(${obj}, ${key})) return BAIL;`,
          `const ${t} = ${obj}[${key}];`,
        );
        return { name: t };
      }
      case '!_': {
        const v = this.node(node.args as Node, out).name;
        out.push(`if (typeof ${v} !== "boolean") return BAIL;`, `const ${t} = !${v};`);
        return { name: t };
      }
      case '&&':
      case '||': {
        const decisive = node.op === '||' ? 'true' : 'false';
        const l = this.node(args[0]!, out).name;
        const right: string[] = [];
        const r = this.node(args[1]!, right).name;
        out.push(
          `let ${t} = ${decisive};`,
          `if (${l} !== ${decisive}) {`,
          `if (typeof ${l} !== "boolean") return BAIL;`,
          ...right,
          `if (typeof ${r} !== "boolean") return BAIL;`,
          `${t} = ${r};`,
          '}',
        );
        return { name: t };
      }
      case '?:': {
        const c = this.node(args[0]!, out).name;
        const yes: string[] = [];
        const no: string[] = [];
        const a = this.node(args[1]!, yes).name;
        const b = this.node(args[2]!, no).name;
        // A branch's value is the expression's (or its consumer's) to check, as for a field.
        out.push(`let ${t};`, `if (${c} === true) {`, ...yes, `${t} = ${a};`, `} else if (${c} === false) {`, ...no, `${t} = ${b};`, '} else return BAIL;');
        return { name: t };
      }
      case '==':
      case '!=': {
        const l = this.node(args[0]!, out);
        const r = this.node(args[1]!, out);
        // Two primitives: equal when the same type and value (cel-js gives false across types).
        const checks = [l, r].filter((o) => !o.constant).map((o) => `!isPrimitive(${o.name})`);
        if (checks.length) out.push(`if (${checks.join(' || ')}) return BAIL;`);
        if ([l, r].some((o) => o.constant && !isPrimitive(o.constant.value))) throw new Unsupported();
        out.push(`const ${t} = ${l.name} ${node.op === '==' ? '===' : '!=='} ${r.name};`);
        return { name: t };
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const l = this.node(args[0]!, out);
        const r = this.node(args[1]!, out);
        // Same-type numbers, strings or booleans compare as in JavaScript; anything else is cel-js's error.
        const fixed = l.constant ?? r.constant;
        if (fixed) {
          const type = typeof fixed.value;
          if (type !== 'number' && type !== 'string' && type !== 'boolean') throw new Unsupported();
          out.push(`if (typeof ${l.name} !== "${type}" || typeof ${r.name} !== "${type}") return BAIL;`);
        } else {
          out.push(`if (typeof ${l.name} !== typeof ${r.name} || (typeof ${l.name} !== "number" && typeof ${l.name} !== "string" && typeof ${l.name} !== "boolean")) return BAIL;`);
        }
        out.push(`const ${t} = ${l.name} ${node.op} ${r.name};`);
        return { name: t };
      }
      case 'in': {
        const l = this.node(args[0]!, out).name;
        const r = this.node(args[1]!, out);
        if (r.constant) {
          const set = this.constant(new Set(r.constant.value as unknown[]));
          out.push(`if (!isPrimitive(${l})) return BAIL;`, `const ${t} = ${set}.has(${l});`);
        } else out.push(`const ${t} = member(${l}, ${r.name});`, `if (${t} === BAIL) return BAIL;`);
        return { name: t };
      }
      case 'call':
        return this.has(node, t, out);
      default:
        throw new Unsupported();
    }
  }

  /** `has(x.f)` (one level, on a variable or `self`): the key is present with a value. */
  private has(node: Node, t: string, out: string[]): Out {
    const [fn, callArgs] = node.args as [string, Node[]];
    const target = callArgs[0];
    if (fn !== 'has' || callArgs.length !== 1 || node.meta?.macro === undefined || target?.op !== '.') throw new Unsupported();
    const [objNode, field] = target.args as [Node, string];
    if (objNode.op !== 'id') throw new Unsupported();
    const obj = this.node(objNode, out).name;
    const key = JSON.stringify(field);
    out.push(
      `if (typeof ${obj} !== "object" || ${obj} === null || ${obj}.constructor !== Object) return BAIL;`,
      `let ${t} = false;`,
      `if (hasOwn(${obj}, ${key})) {`,
      `const v = ${obj}[${key}];`,
      `if (v !== undefined) { if (!known(v)) return BAIL; ${t} = true; }`,
      '}',
    );
    return { name: t };
  }
}

/** The fast evaluator of a checked cel-js AST, or undefined when it uses more than the subset. */
export function compileFastPath(ast: unknown, scope: ExprScope): FastEval | undefined {
  const emitter = new Emitter(scope);
  const body: string[] = [];
  let result: Out;
  try {
    result = emitter.node(ast as Node, body);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  const code = ['"use strict";', 'return function fastPath(vars) {', ...body, `return known(${result.name}) ? ${result.name} : BAIL;`, '};'].join('\n');
  // Generated from the checked AST, names and literals quoted: see the header.
  const build = new Function('BAIL', 'hasOwn', 'known', 'isPrimitive', 'member', 'K', code) as (...deps: unknown[]) => FastEval;
  return build(BAIL, hasOwn, known, isPrimitive, member, emitter.constants);
}
