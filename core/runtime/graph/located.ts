/** Where a block is, for compiled nodes and runtime errors. */
import type { PipelineBlock } from '../spec/blocks.ts';
import { formatPath } from '../spec/locator.ts';
import type { Locator } from '../spec/locator.ts';
import type { Located } from './types.ts';

export function locateBlock(block: PipelineBlock, locator: Locator): Located {
  const { line, col } = locator.key(block.path);
  return { file: locator.file, line, col, configPath: formatPath(block.path) };
}
