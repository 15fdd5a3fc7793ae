// The grokdiff CLI: one subcommand per file in this folder; `--help` on every command. Errors print as
// one line without a stack trace (exit 2 for bad input, 1 for anything unexpected); --debug shows stacks.
// The tensor backend is chosen once, here, from --backend or GROKDIFF_BACKEND (see src/engine/backend.ts).

import { Command, Option } from 'commander';
import { reportError } from './common.ts';
import { dataCommand } from './data-command.ts';
import { presetsCommand, registryCommand } from './registry-command.ts';
import { trainCommand } from './train-command.ts';
import { evalCommand, sampleCommand } from './sample-command.ts';
import { searchCommand } from './search-command.ts';
import { pruneCommand } from './prune-command.ts';
import { replicateCommand } from './replicate-command.ts';
import { classifierCommand } from './classifier-command.ts';

const debug = process.argv.includes('--debug');

function buildProgram(): Command {
  const program = new Command('grokdiff')
    .description('Executable, falsifiable tests of "Grokking of Diffusion Models: Case Study on Modular Addition" (arXiv 2604.17673)')
    .addOption(new Option('--backend <name>', 'tensor backend: auto|node-gpu|webgpu|node|wasm|cpu (env GROKDIFF_BACKEND)'))
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });
  program.addCommand(replicateCommand());
  program.addCommand(dataCommand());
  program.addCommand(trainCommand());
  program.addCommand(sampleCommand());
  program.addCommand(evalCommand());
  program.addCommand(searchCommand());
  program.addCommand(pruneCommand());
  program.addCommand(classifierCommand());
  program.addCommand(registryCommand());
  program.addCommand(presetsCommand());
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = (err as { exitCode?: number }).exitCode ?? 2;
      return;
    }
    process.exitCode = reportError(err, debug);
  }
}

await main();
