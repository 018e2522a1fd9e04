/** Parsers for option values (commander's `argParser`); a bad value is a usage error. */
import { InvalidArgumentError } from 'commander';

/** Collects a repeatable option (`--set a.b=c --set d=e`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number ≥ 1. */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** A share between 0 and 1. */
export function share(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

/** A TCP port, 0 to 65535 (0: any free port). */
export function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port, 0 to 65535');
  return n;
}
