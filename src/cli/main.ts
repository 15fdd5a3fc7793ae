// The grokdiff CLI: one subcommand per file in this folder; `--help` on every command. Errors print as
// one line without a stack trace (exit 2 for bad input, 1 for anything unexpected); --debug shows stacks.
// commander's own errors (a missing required option, an unknown option or command, a missing argument) are
// printed in the same one-line format with exit 2, and say where the help is instead of printing it.
// The tensor backend is chosen once, here, from --backend or GROKDIFF_BACKEND (see src/engine/backend.ts).

import { Command, Option } from 'commander';
import { resetEnvironment } from '../config/environment.ts';
import { reportError } from './common.ts';
import { envCommand } from './env-command.ts';
import { dataCommand } from './data-command.ts';
import { presetsCommand, registryCommand } from './registry-command.ts';
import { trainCommand } from './train-command.ts';
import { evalCommand, sampleCommand } from './sample-command.ts';
import { searchCommand } from './search-command.ts';
import { screenCommand } from './screen-command.ts';
import { pruneCommand } from './prune-command.ts';
import { replicateCommand } from './replicate-command.ts';
import { classifierCommand } from './classifier-command.ts';
import { fixturesCommand } from './fixtures-command.ts';
import { exportCommand, exportDataCommand, importCommand } from './port-command.ts';

function buildProgram(): Command {
  const program = new Command('grokdiff')
    .description('Executable, falsifiable tests of "Grokking of Diffusion Models: Case Study on Modular Addition" (arXiv 2604.17673)')
    .addOption(new Option('--backend <name>', 'tensor backend: auto|node-gpu|webgpu|node|wasm|cpu (env GROKDIFF_BACKEND)'))
    .option('--debug', 'show stack traces on errors')
    .option('--verbose', 'say in full which tensor backend was chosen and why the others were skipped');
  program.addCommand(replicateCommand());
  program.addCommand(dataCommand());
  program.addCommand(trainCommand());
  program.addCommand(sampleCommand());
  program.addCommand(evalCommand());
  program.addCommand(searchCommand());
  program.addCommand(screenCommand());
  program.addCommand(pruneCommand());
  program.addCommand(classifierCommand());
  program.addCommand(registryCommand());
  program.addCommand(presetsCommand());
  program.addCommand(fixturesCommand());
  program.addCommand(importCommand());
  program.addCommand(exportCommand());
  program.addCommand(exportDataCommand());
  program.addCommand(envCommand());
  return program;
}

/** The command whose parse failed (for the help hint): set by the error output hook of every command. */
let failedCommand: Command | undefined;

/** Routes commander's errors through main's catch (exitOverride) and silences its own printing, on every command. */
function routeErrors(command: Command): void {
  command.exitOverride();
  command.configureOutput({
    outputError: () => {
      failedCommand = command;
    },
  });
  for (const sub of command.commands) routeErrors(sub);
}

function commandPath(command: Command | undefined): string {
  const names: string[] = [];
  for (let c: Command | null | undefined = command; c; c = c.parent) names.unshift(c.name());
  return names.length > 0 ? names.join(' ') : 'grokdiff';
}

/** One line for a commander error: `grokdiff: error [unknown-option]: unknown option '--x' (see grokdiff train --help)`. */
export function commanderErrorLine(code: string, message: string, command: Command | undefined): string {
  const short = code
    .replace(/^commander\./, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();
  const text = message
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `grokdiff: error [${short}]: ${text} (see ${commandPath(command)} --help)`;
}

/**
 * Runs the CLI on `argv` (process.argv form: node, script, args...) and returns the exit code: 0, 1 for an
 * unexpected error or a failed check, 2 for bad input (our typed errors and commander's).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  failedCommand = undefined;
  // Each run reads the environment afresh (once), and flags of an earlier in-process run do not carry over.
  resetEnvironment();
  routeErrors(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      const exitCode = (err as { exitCode?: number }).exitCode ?? 2;
      // --help and --version print and exit 0; `grokdiff` without a command prints the help (exit 2).
      if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return exitCode === 0 ? 0 : 2;
      process.stderr.write(`${commanderErrorLine(code, (err as Error).message, failedCommand)}\n`);
      return 2;
    }
    return reportError(err, debug);
  }
}

// Run directly (`tsx src/cli/main.ts ...`); bin/grokdiff.js imports runCli and calls it.
if (/[\\/]src[\\/]cli[\\/]main\.ts$/.test(process.argv[1] ?? '')) process.exitCode = await runCli(process.argv);
