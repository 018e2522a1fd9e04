/**
 * A synchronous context manager for OpenTelemetry: `with` sets the active context for the
 * duration of a synchronous call. Operators run synchronously per batch, so this is all a
 * plugin needs to find the runtime's span with `trace.getActiveSpan()` and add attributes
 * to it — without async hooks on the hot path. Registered globally only when no other
 * context manager is.
 */
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { Context, ContextManager } from '@opentelemetry/api';

export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(ctx, fn, undefined, ...args)) as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

let installed = false;

/** Installs the sync context manager unless another one is already global. */
export function ensureContextManager(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new SyncContextManager());
}
