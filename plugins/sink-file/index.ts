/** `file`: writes JSONL (or raw lines), effectively once across restarts. */
import { definePlugin } from '../../core/api/index.ts';
import { fileSinkSpec } from './spec.ts';
import { FileSink } from './file-sink.ts';

export const fileSinkPlugin = definePlugin({
  kind: 'sink',
  name: 'file',
  summary: 'Writes one line per record (JSONL with codec json, text with codec raw), effectively once across restarts.',
  description: [
    'Each batch is encoded to one string and written with one call.',
    'At a checkpoint the file is fsynced and its length recorded; on restore the file is truncated to that length, so records replayed after a crash are written once (effectively once).',
    'A fresh start (no checkpoint) creates the file or truncates it: earlier content is overwritten; in a task of a job run as tasks (`job.tasks`) every instance of the task writes a file of its own: a fresh start renames the file at the path (even an empty one) to `<path>.superseded-<n>`, and a restore copies the checkpointed prefix of the file the checkpoint was taken in (its inode is in the position) to a new file at the path, setting the one there aside, so overlapping instances of a task (an old owner handing it off or stalled, a restarted attempt) never destroy or overwrite each other\'s lines.',
    'For an upsert input each line carries the change kind in `change_field` (`{"op":"update",...row}`); a delete carries the row the upstream operator gave.',
    'With codec raw the `message` field of each record is written as the line, and the change kind is not written.',
    'With `envelope: provenance` each line is `{"provenance": {...}, "record": {...}}` (codec json): an archive of a source output as admitted, which `sluice validate` reads.',
  ].join(' '),
  spec: fileSinkSpec,
  create(ctx) {
    const { config, input } = ctx;
    const encodeOptions = input.changelog.mode === 'upsert' ? { changeField: config.change_field } : {};
    if (config.envelope === 'provenance' && ctx.codec.name !== 'json') throw new Error(`file sink '${config.path}': envelope provenance needs codec json`);
    const onSetAside = (to: string, bytes: number) => ctx.logger.warn(`file sink '${config.path}': task ${ctx.task!.id} starts a file of its own; the earlier one (${bytes} bytes) moved to ${to}`, { path: config.path, moved_to: to, bytes });
    return new FileSink(config.path, ctx.codec, encodeOptions, config.envelope, ctx.task ? 'task' : 'whole', onSetAside);
  },
});
