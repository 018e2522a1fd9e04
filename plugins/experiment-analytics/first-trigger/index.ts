/** `first_trigger`: a keyed function for `keyed_process` (see first-trigger.ts). */
export { firstTrigger } from './first-trigger.ts';
export type { TriggerSlot } from './first-trigger.ts';
export { firstTriggerOptions } from './spec.ts';
