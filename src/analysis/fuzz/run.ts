// Long-budget fuzzing of the analysis library (`npm run fuzz -- --runs 20000 [--seed N] [--only name]`):
// runs every property of fuzz/properties.ts — the same ones the vitest file runs with a short budget — and
// reports, for any failure, the seed, the replay path and the shrunk counterexample; exits 1 on failure.
// Serves every analysis of the paper (Sec. 4.1, 4.2, Table 3, Figure 5) by hardening its input handling.

import fc from 'fast-check';
import { environment } from '../../config/environment.ts';
import { FUZZ_TARGETS, fuzzProperty, uncoveredExports } from './properties.ts';

interface Args {
  runs: number;
  seed: number;
  only: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 1000, seed: drawSeed(), only: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--runs' || flag === '--seed') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < (flag === '--runs' ? 1 : 0) || n > 0xffffffff) usage(`${flag} needs a non-negative integer, got ${value}`);
      if (flag === '--runs') args.runs = n;
      else args.seed = n;
      i++;
    } else if (flag === '--only') {
      if (!value) usage('--only needs a property name (substring)');
      args.only = value;
      i++;
    } else if (flag === '--help' || flag === '-h') {
      usage(null);
    } else {
      usage(`unknown argument ${flag}`);
    }
  }
  return args;
}

function drawSeed(): number {
  return environment().fcSeed ?? (Date.now() ^ (process.pid << 8)) >>> 0;
}

function usage(problem: string | null): never {
  if (problem) console.error(`fuzz: ${problem}`);
  console.error('usage: npm run fuzz -- [--runs N] [--seed N] [--only name]');
  process.exit(problem ? 2 : 0);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const missing = uncoveredExports();
  if (missing.length > 0) console.warn(`fuzz: exported functions with no fuzz property: ${missing.join(', ')}`);
  const targets = FUZZ_TARGETS.filter((t) => args.only === null || t.name.includes(args.only));
  console.log(`fuzz: ${targets.length} properties × ${args.runs} runs, seed ${args.seed}`);
  let failures = 0;
  for (const t of targets) {
    const start = performance.now();
    const details = fc.check(fuzzProperty(t), { seed: args.seed, numRuns: args.runs });
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    if (!details.failed) {
      console.log(`  ok    ${t.name} (${details.numRuns} runs, ${seconds} s)`);
      continue;
    }
    failures++;
    console.log(`  FAIL  ${t.name} (${seconds} s)`);
    console.log(fc.defaultReportMessage(details)?.replace(/^/gm, '        '));
    console.log(`        replay: npm run fuzz -- --only '${t.name}' --seed ${details.seed} --runs ${args.runs}  (path ${details.counterexamplePath})`);
  }
  console.log(failures === 0 ? 'fuzz: all properties hold' : `fuzz: ${failures} propert${failures === 1 ? 'y' : 'ies'} failed (seed ${args.seed})`);
  process.exit(failures === 0 && missing.length === 0 ? 0 : 1);
}

main();
