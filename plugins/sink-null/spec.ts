import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

export const nullSinkSpec = field.object({});

export type NullSinkConfig = Infer<typeof nullSinkSpec>;
