import { field } from '../../core/api/index.ts';
import type { Infer } from '../../core/api/index.ts';

export const fileSourceSpec = field.object({
  path: field.string({
    path: true,
    doc: 'A file, or a glob of files (`*`, `?`, `**`, `[abc]`, `{a,b}`); each file is one partition, named by its path.',
    example: 'data/orders-*.jsonl',
    minLength: 1,
  }),
  follow: field.boolean({
    doc: 'false: end of input once every file is read to its end. true: tail the files (and look for new ones matching the glob) and never end.',
    default: false,
  }),
  read_size: field.integer({ doc: 'Bytes read per file system call; lines are split from these reads.', default: 1_048_576, min: 1 }),
  max_line_bytes: field.integer({
    doc: 'Longest line read, in bytes (absent: 16 MiB); a longer one fails the source with an error naming this setting instead of being buffered whole.',
    optional: true,
    min: 1,
  }),
  skip_blank_lines: field.boolean({ doc: 'Skip empty lines (they still count for line numbers) instead of handing them to the codec.', default: true }),
});

export type FileSourceConfig = Infer<typeof fileSourceSpec>;
