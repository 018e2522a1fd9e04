/** `sluice graph <pipeline> [--profile p]`: the compiled pipeline as a Mermaid flowchart on stdout. */
import type { Command } from 'commander';
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

export function registerGraph(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('graph')
    .description('Print the pipeline as a Mermaid flowchart: sources, operators, sinks, late and dead-letter outputs.')
    .argument('<pipeline>', 'pipeline file')
    .option('--profile <name>', 'profile to compile (default: the first the file declares)')
    .addHelpText('after', '\nPaste the output into any Mermaid renderer, or a ```mermaid block on GitHub.\nExit: 0 printed, 1 the pipeline has errors, 2 it cannot be read.')
    .action(async (file: string, opts: { profile?: string }) => done(await graph(file, opts.profile, io)));
}
