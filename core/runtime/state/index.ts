/** Keyed state, key extraction and the operator host (internal runtime). */
export { MemoryStateBackend } from './memory-backend.ts';
export { MemoryCapture } from './memory-capture.ts';
export { KeyContext, type TtlClock } from './key-context.ts';
export { createStateHandles, type KeyedStateSet } from './handles.ts';
export { keyExtractor, keyBatch, joinKey, keyPart, splitKey, KEY_SEPARATOR, type KeyExtractor } from './keys.ts';
export { OperatorHost, type AnyOperatorDefinition, type OperatorHostOptions, type OperatorHostSnapshot } from './operator-host.ts';
export { OutputCollector, errorReason, errorMessage, type OperatorOutputs } from './outputs.ts';
export { ChunkWriter, readFrames, yieldToEventLoop } from './chunking.ts';
