/**
 * `${VAR}` and `${VAR:-default}` in pipeline scalars. `$${` writes a literal `${`.
 * An unset variable without a default is a problem the caller reports at the scalar;
 * `${VAR:-default}` also applies when VAR is set but empty, as in POSIX shells.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  readonly value: string;
  /** Names of unset variables that had no default. */
  readonly unset: readonly string[];
  /** Whether the text had any `${…}`. */
  readonly changed: boolean;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolate(text: string, env: Env): Interpolated {
  if (!text.includes('${')) return { value: text, unset: [], changed: false };
  const unset: string[] = [];
  const value = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const set = env[name!];
    if (set !== undefined && (set !== '' || fallback === undefined)) return set;
    if (fallback !== undefined) return fallback;
    unset.push(name!);
    return '';
  });
  return { value, unset, changed: true };
}

/**
 * What a plain (unquoted) YAML 1.2 core-schema scalar reads as, so `port: ${PORT:-9092}`
 * is the number 9092, as if it had been written there. Quoted scalars stay strings.
 */
export function resolvePlainScalar(text: string): string | number | boolean | null {
  if (/^(?:null|Null|NULL|~)?$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}
