/**
 * kafkajs log lines → the plugin's structured logger (never stdout). kafkajs's `info`
 * lines (joins, starts, stops) are chatty for a running job, so they go to `debug`.
 */
import { logLevel } from './kafkajs.ts';
import type { logCreator } from 'kafkajs';
import type { Logger } from '../../core/api/index.ts';

export function kafkajsLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, timestamp: _t, logger: _l, ...rest } = log as { message: string; timestamp?: unknown; logger?: unknown } & Record<string, unknown>;
    const attributes = { kafkajs: namespace, ...rest };
    // kafkajs logs each failed request of its own retry loop as an error; the error that
    // outlives the retries reaches the plugin as an exception, so these are warnings.
    if (level === logLevel.ERROR) (namespace === 'Connection' ? logger.warn : logger.error).call(logger, message, attributes);
    else if (level === logLevel.WARN) logger.warn(message, attributes);
    else logger.debug(message, attributes);
  };
}
