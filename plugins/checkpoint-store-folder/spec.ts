import { field } from '../../core/api/index.ts';

export const folderStoreSpec = field.object({
  path: field.string({
    doc: 'Folder that holds the checkpoints of this job. Defaults to `.sluice/checkpoints/<job>`.',
    example: '.sluice/checkpoints/orders_enriched',
    optional: true,
  }),
  fsync: field.boolean({
    doc: 'Flush chunks and manifests to disk before a checkpoint counts as complete. Turn off only for throwaway runs.',
    default: true,
  }),
});
