/**
 * `sluice/api`: the public contract, and the only module plugins import.
 *
 * Plugins are defined with `definePlugin` (sources, operators, sinks, state and checkpoint
 * stores) or `defineKeyedFunction` (keyed functions, run by `keyed_process`), each with a
 * typed config spec built from `field`, the services it needs from `services`, (operators)
 * keyed state from `state`, and its own error codes (`errors`, raised as `PluginError`).
 */
export * from './records.ts';
export * from './time.ts';
export * from './spec.ts';
export * from './state.ts';
export * from './stream.ts';
export * from './errors.ts';
export * from './services.ts';
export * from './checkpoint.ts';
export * from './expressions.ts';
export * from './operator.ts';
export * from './source.ts';
export * from './sink.ts';
export * from './codec.ts';
export * from './traceparent.ts';
export * from './keyed-function.ts';
export * from './tasks.ts';
export * from './plugin.ts';
export * from './extension.ts';
