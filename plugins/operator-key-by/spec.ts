import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';
import { keyField } from '../../lib/key-fields/key-fields.ts';

export const keyBySpec = field.object({ key: keyField });

export type KeyByConfig = Infer<typeof keyBySpec>;
