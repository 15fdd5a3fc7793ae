// Shared CLI plumbing: option parsing helpers that turn bad values into ConfigErrors naming the flag, the
// backend option, and the top-level error printer (message without stack trace; --debug shows it).

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { overrideEnvironment } from '../config/environment.ts';
import { ConfigError, GrokdiffError } from '../errors.ts';
import { MAX_EVAL_DRAWS, MAX_SAMPLING_STEPS } from '../train/config.ts';

export function intOption(flag: string) {
  return (value: string): number => {
    // Number('') and Number(' ') are 0: an empty value is refused, not read as 0 (issue 31: --seeds "" ran seed 0).
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isInteger(n)) throw new ConfigError('cli-option', `${flag} must be an integer, got "${value}"`);
    return n;
  };
}

/** A comma-separated list of integers in [min, max] (e.g. --seeds 1,2,3): an empty list or entry is refused. */
export function intListOption(flag: string, min: number, max: number) {
  return (value: string): number[] => {
    const parts = value.split(',');
    if (value.trim() === '' || parts.some((p) => p.trim() === '')) {
      throw new ConfigError('cli-option', `${flag} "${value}": give comma-separated integers from ${min} to ${max}, e.g. ${flag} 1,2,3`);
    }
    return parts.map((p) => intRangeOption(flag, min, max)(p));
  };
}

/** An integer option within [min, max] (inclusive); anything else is a ConfigError naming the flag and the range. */
export function intRangeOption(flag: string, min: number, max: number, why = '') {
  return (value: string): number => {
    const n = intOption(flag)(value.trim());
    if (n < min || n > max || !Number.isSafeInteger(n))
      throw new ConfigError('cli-option', `${flag} must be an integer from ${min} to ${max}${why ? ` (${why})` : ''}, got ${value}`);
    return n;
  };
}

/** Seeds: integers from 0 to 2^32 − 1. */
export const seedOption = (flag: string) => intRangeOption(flag, 0, 0xffffffff);

/** `--draws`: noise draws per pair, 1 to MAX_DRAWS (draws × pairs images are generated); a run's train.evalDraws has the same bound. */
export const MAX_DRAWS = MAX_EVAL_DRAWS;
/** `--steps` of the sampler: Euler steps, 1 to MAX_SAMPLING_STEPS (a run's train.samplingSteps has the same bound). */
export { MAX_SAMPLING_STEPS };

/** An existing folder to read (e.g. --run, --from-runs); anything else is a ConfigError naming the flag. */
export function existingFolder(flag: string, value: string): string {
  const dir = resolve(value);
  if (!existsSync(dir)) throw new ConfigError('cli-folder', `${flag} ${value}: no such folder`);
  if (!statSync(dir).isDirectory()) throw new ConfigError('cli-folder', `${flag} ${value} is a file, not a folder`);
  return dir;
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

/**
 * `--k49 DIR`: the folder with the official Kuzushiji-49 files. It overrides GROKDIFF_K49_DIR in this process's
 * settings (src/config/environment.ts), so training, loading and the claims all read the same folder. A folder
 * that does not exist is refused here.
 */
export function k49DirOption(value: string): string {
  if (!existsSync(value) || !statSync(value).isDirectory()) {
    throw new ConfigError('cli-option', `--k49 ${value}: no such folder (it must hold the official k49-*.npz files)`);
  }
  const dir = resolve(value);
  overrideEnvironment({ k49Dir: dir });
  return dir;
}
