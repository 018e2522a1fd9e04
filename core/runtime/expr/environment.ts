/**
 * The CEL environments every expression of a pipeline shares.
 *
 * Records decoded from JSON carry plain JavaScript numbers, which CEL sees as `double`,
 * while CEL integer literals are `int`: `amount + 1` would be a type error on a record
 * `{"amount": 5}`. So one base environment adds mixed `int`/`double` arithmetic and
 * comparisons (computed as doubles); the evaluation environment and every checking
 * environment derive from it, so lint accepts exactly what runs.
 *
 * Environments are built once per process (building one costs far more than evaluating);
 * a checking environment is a cheap clone with the known fields declared.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { FieldType } from '../../api/index.ts';

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

function buildBase(): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false });
  for (const [op, fn] of Object.entries(ARITHMETIC)) {
    env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => fn(a, Number(b)));
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  // CEL has no `%` on doubles; JSON integers arrive as doubles, so `n % 2` must work.
  env.registerOperator('double % double: double', (a: number, b: number) => a % b);
  // Registering `==` also registers `!=` and the mirrored operand order.
  env.registerOperator('double == int', (a: number, b: bigint) => a === Number(b));
  return env;
}

const base = buildBase();

/**
 * `amount in [100, 200]` with `amount` declared double: at run time the dyn `in` already
 * compares numerically, but the checker needs to be told (registering these in the
 * evaluation environment would make dispatch ambiguous).
 */
const checkingBase = base.clone();
checkingBase.registerOperator('double in list<int>', () => false);
checkingBase.registerOperator('int in list<double>', () => false);

/** Evaluates every compiled expression: variables are untyped (`dyn`), read from the record. */
export const evaluationEnvironment: Environment = base.clone({ unlistedVariablesAreDyn: true });

/** The CEL type a known field is declared with when checking. */
export function celType(type: FieldType): string {
  switch (type) {
    case 'string':
    case 'int':
    case 'double':
    case 'bool':
    case 'map':
    case 'list':
      return type;
    // Event times arrive as epoch ms or ISO strings, not CEL timestamps.
    case 'timestamp':
    case 'dyn':
      return 'dyn';
  }
}

/** Name of the whole record in scope `record`, so `has(self.discount)` can guard a field. */
export const SELF = 'self';

/** A checking environment; `vars` maps a variable to a CEL type or a schema of known fields. */
export function checkingEnvironment(vars: Readonly<Record<string, string | Record<string, string>>> | undefined): Environment {
  if (!vars) return evaluationEnvironment;
  const env = checkingBase.clone();
  for (const [name, type] of Object.entries(vars)) {
    // A field whose name is no CEL identifier (or a reserved word) cannot be referenced.
    if (!IDENTIFIER.test(name)) continue;
    try {
      if (typeof type === 'string') env.registerVariable(name, type);
      else env.registerVariable({ name, schema: pickIdentifiers(type) });
    } catch {
      // reserved word: not addressable as a variable, so nothing to declare
    }
  }
  return env;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pickIdentifiers(schema: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => IDENTIFIER.test(k)));
}
