import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

/** `union` has no settings: its inputs are the block's `input:` list. */
export const unionSpec = field.object({});

export type UnionConfig = Infer<typeof unionSpec>;
