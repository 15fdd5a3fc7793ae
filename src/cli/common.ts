// Shared CLI plumbing: option parsing helpers that turn bad values into ConfigErrors naming the flag, the
// backend option, and the top-level error printer (message without stack trace; --debug shows it).

import { ConfigError, GrokdiffError } from '../errors.ts';

export function intOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new ConfigError('cli-option', `${flag} must be an integer, got "${value}"`);
    return n;
  };
}

export function numberOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new ConfigError('cli-option', `${flag} must be a number, got "${value}"`);
    return n;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Prints an error for a person: our errors as their message, anything else with a hint to use --debug. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof GrokdiffError) {
    process.stderr.write(`grokdiff: error [${err.code}]: ${err.message}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`grokdiff: unexpected error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(run again with --debug for the stack trace)\n');
  return 1;
}
