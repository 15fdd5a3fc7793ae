// Resolves the --backend flag (or GROKDIFF_BACKEND) and initialises the tensor engine once per command.

import type { Command } from 'commander';
import { initBackend, parseBackendChoice } from '../engine/backend.ts';

export async function setupBackend(command: Command): Promise<string> {
  const flag = (command.optsWithGlobals() as { backend?: string }).backend;
  const envValue = process.env.GROKDIFF_BACKEND;
  const choice = flag !== undefined ? parseBackendChoice(flag, '--backend') : envValue ? parseBackendChoice(envValue, 'GROKDIFF_BACKEND') : 'auto';
  return initBackend(choice, { log: (line: string) => process.stderr.write(`${line}\n`) });
}
