/**
 * Plugin lifecycles (docs/architecture.md §2): the runtime opens plugins one at a time in topological
 * order and closes them in reverse. When one fails to open, the ones already open are
 * closed in reverse before the failure is thrown, so nothing is left holding a socket or a
 * file handle.
 */
import { SluiceError, formatLocation } from '../../api/index.ts';
import type { PluginKind, SourceLocation } from '../../api/index.ts';

export interface Lifecycle {
  /** Block id in the pipeline (`results`). */
  readonly id: string;
  /** For messages: `failed to init sink 'results'`. */
  readonly kind?: PluginKind | 'late output' | 'dead-letter output' | 'service';
  /** Where the block is written. */
  readonly location?: SourceLocation;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** Called for each failure while closing; closing goes on with the rest. */
export type CloseErrorHandler = (item: Lifecycle, error: unknown) => void;

function describe(item: Lifecycle): string {
  return `${item.kind ?? 'plugin'} '${item.id}'`;
}

function causeText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `failed to init sink 'results' (pipelines/x.yaml:42:7, sinks.results): <cause>` — the
 * location sits before the cause (STYLE §8), unlike `SluiceError`'s default suffix.
 */
export class PluginInitError extends SluiceError {
  readonly pluginId: string;
  constructor(item: Lifecycle, cause: unknown) {
    super('E_PLUGIN_INIT', `failed to init ${describe(item)}`, { cause, ...(item.location ? { location: item.location } : {}) });
    this.name = 'PluginInitError';
    this.pluginId = item.id;
    const where = item.location ? ` (${formatLocation(item.location)})` : '';
    this.message = `failed to init ${describe(item)}${where}: ${causeText(cause)}`;
  }
}

/**
 * Opens `items` in order. If one throws, closes those already opened in reverse (their
 * close failures go to `onCloseError`, never hiding the first failure) and throws a
 * `PluginInitError` (`E_PLUGIN_INIT`) naming the item, its location and the cause.
 * Returns the items, all open, in the order given.
 */
export async function openInOrder<T extends Lifecycle>(items: readonly T[], onCloseError?: CloseErrorHandler): Promise<readonly T[]> {
  const opened: T[] = [];
  for (const item of items) {
    try {
      await item.open();
    } catch (error) {
      await closeInReverse(opened, onCloseError ?? (() => {}));
      throw new PluginInitError(item, error);
    }
    opened.push(item);
  }
  return opened;
}

/**
 * Closes `items` last first, each once, going on past failures. With `onCloseError` every
 * failure is reported to it and the call resolves; without, the call rejects after all
 * are closed with an `E_PLUGIN_FAILED` error naming the first failure (all in `cause`).
 */
export async function closeInReverse(items: readonly Lifecycle[], onCloseError?: CloseErrorHandler): Promise<void> {
  const failures: { item: Lifecycle; error: unknown }[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    try {
      await item.close();
    } catch (error) {
      if (onCloseError) onCloseError(item, error);
      else failures.push({ item, error });
    }
  }
  if (failures.length > 0) {
    const first = failures[0]!;
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    throw new SluiceError('E_PLUGIN_FAILED', `failed to close ${describe(first.item)}${more}: ${causeText(first.error)}`, {
      cause: failures.length > 1 ? new AggregateError(failures.map((f) => f.error)) : first.error,
      ...(first.item.location ? { location: first.item.location } : {}),
    });
  }
}
