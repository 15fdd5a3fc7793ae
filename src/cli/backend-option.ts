// Resolves the --backend flag (or GROKDIFF_BACKEND) and initialises the tensor engine once per command.

import type { Command } from 'commander';
import { initBackend, parseBackendChoice } from '../engine/backend.ts';

export async function setupBackend(command: Command): Promise<string> {
  const flag = (command.optsWithGlobals() as { backend?: string }).backend;
  // initBackend reads GROKDIFF_BACKEND itself when no flag is given, and falls back to 'auto'.
  const choice = flag !== undefined ? parseBackendChoice(flag, '--backend') : undefined;
  return initBackend(choice, { source: '--backend', log: (line: string) => process.stderr.write(`${line}\n`) });
}
