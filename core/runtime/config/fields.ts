/**
 * The leaves of the runtime config schema, flattened: one entry per dotted path with its
 * doc, allowed values, default, variable and secret flag. Used to attribute values to
 * layers, to write hints, and to redact secrets.
 */
import { runtimeConfigSchema } from '../../../config/schema.ts';

export interface ConfigField {
  readonly path: string;
  readonly doc: string;
  readonly default: unknown;
  readonly env: string | undefined;
  readonly sensitive: boolean;
  /** Allowed values of an enumerated field. */
  readonly values: readonly string[] | undefined;
  /** Named format (`duration`, `natural`, …) when there is one. */
  readonly format: string | undefined;
}

function isLeaf(node: Record<string, unknown>): boolean {
  return 'default' in node;
}

function collect(node: Record<string, unknown>, prefix: string, out: ConfigField[]): void {
  for (const [key, child] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const c = child as Record<string, unknown>;
    if (!isLeaf(c)) {
      collect(c, path, out);
      continue;
    }
    out.push({
      path,
      doc: String(c['doc'] ?? ''),
      default: c['default'],
      env: typeof c['env'] === 'string' ? c['env'] : undefined,
      sensitive: c['sensitive'] === true,
      values: Array.isArray(c['format']) ? (c['format'] as string[]) : undefined,
      format: typeof c['format'] === 'string' ? c['format'] : undefined,
    });
  }
}

const FIELDS: readonly ConfigField[] = (() => {
  const out: ConfigField[] = [];
  collect(runtimeConfigSchema as unknown as Record<string, unknown>, '', out);
  return out;
})();

const BY_PATH = new Map(FIELDS.map((f) => [f.path, f]));

/** Every leaf of the schema, in schema order. */
export function configFields(): readonly ConfigField[] {
  return FIELDS;
}

export function configField(path: string): ConfigField | undefined {
  return BY_PATH.get(path);
}

/** The field's doc plus its allowed values: the hint shown with an error. */
export function fieldHint(path: string): string | undefined {
  const field = BY_PATH.get(path);
  if (!field) return undefined;
  const allowed = field.values ? ` Allowed: ${field.values.join(', ')}.` : '';
  return `${field.doc}${allowed}`;
}

/** Paths of the secret fields. */
export function sensitivePaths(): readonly string[] {
  return FIELDS.filter((f) => f.sensitive).map((f) => f.path);
}
