import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';
import { keyField, keyFields } from '../../lib/key-fields/key-fields.ts';

export const repartitionSpec = field.object({
  key: keyField,
  partitions: field.integer({
    doc: 'Partitions of the internal topic. A job run as tasks has one partition count P for all its stages (a task is one partition index of every stage), so this may only restate P; absent: P.',
    optional: true,
    min: 1,
  }),
});

export type RepartitionConfig = Infer<typeof repartitionSpec>;

export function repartitionKey(config: RepartitionConfig): string[] {
  return keyFields(config.key);
}
