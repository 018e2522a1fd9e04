/** `file`: JSONL or raw lines from a file or a glob of files, each file a partition. */
import { definePlugin } from '../../core/api/index.ts';
import { fileSourceSpec } from './spec.ts';
import { FileSource } from './file-source.ts';

export const fileSourcePlugin = definePlugin({
  kind: 'source',
  name: 'file',
  summary: 'Reads lines (JSONL with codec json, text with codec raw) from a file or a glob of files.',
  description: [
    'Each file is one partition (watermarks and idleness are per file); files are read side by side.',
    'With watermark alignment (`event_time.alignment`) a file whose watermark runs more than `max_drift` ahead of the group\'s minimum is skipped until the minimum catches up.',
    'Lines are handed to the block\'s `codec` (`json` by default), so a malformed line is dead-lettered with its text, file and line number.',
    'The position is, per file, the byte offset and line number after the last line returned; a restore reopens each file there.',
    'A file shorter than its checkpointed offset fails the source (it was truncated or replaced).',
    'With `follow: false` the input ends when every file is read to its end (a last line without newline counts);',
    'with `follow: true` the source tails the files, keeps a partial last line until its newline arrives, and picks up new files matching the glob.',
    'CRLF line ends and a leading UTF-8 byte order mark are accepted; empty lines are skipped unless `skip_blank_lines: false`.',
    'A path that names no existing file fails the source at start (with `follow: true` a glob may match nothing yet).',
  ].join(' '),
  spec: fileSourceSpec,
  create({ config }) {
    return new FileSource(config);
  },
});
