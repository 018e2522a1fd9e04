/** `sluice graph <pipeline> [--profile p]`: the compiled pipeline as a Mermaid flowchart on stdout. */
import { toMermaid } from '../../runtime/graph/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { loadPipeline } from '../pipeline.ts';

export async function graph(file: string, profile: string | undefined, io: CliIo): Promise<ExitCode> {
  const { pipeline, exit } = await loadPipeline(file, profile, io);
  if (!pipeline) return exit;
  io.out(`${toMermaid(pipeline).trimEnd()}\n`);
  return EXIT.OK;
}
