// Resolves the --backend flag (or GROKDIFF_BACKEND) and initialises the tensor engine once per command; the
// backend is announced in one short line on stderr, in full with --verbose (issue 29).

import type { Command } from 'commander';
import { initBackend, parseBackendChoice } from '../engine/backend.ts';

export async function setupBackend(command: Command): Promise<string> {
  const { backend: flag, verbose } = command.optsWithGlobals() as { backend?: string; verbose?: boolean };
  // initBackend reads GROKDIFF_BACKEND itself when no flag is given, and falls back to 'auto'.
  const choice = flag !== undefined ? parseBackendChoice(flag, '--backend') : undefined;
  return initBackend(choice, { source: '--backend', verbose: Boolean(verbose), log: (line: string) => process.stderr.write(`${line}\n`) });
}
