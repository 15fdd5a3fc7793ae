// `grokdiff prune --run DIR`: keeps only the memorisation-phase and final checkpoints of a run (and drops
// optimizer state) so a run can be committed as a small fixture.

import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonl } from '../train/atomic-write.ts';
import { listCheckpoints } from '../train/checkpoint.ts';
import type { MetricsRow } from '../train/grokking.ts';
import { pruneRun, selectKeptSteps } from '../train/prune.ts';

export function pruneCommand(): Command {
  return new Command('prune')
    .description('keep only the memorisation-phase and final checkpoints of a run (for fixtures); drops optimizer state')
    .requiredOption('--run <dir>', 'run directory')
    .action((opts: { run: string }) => {
      const dir = resolve(opts.run);
      const metricsPath = join(dir, 'metrics.jsonl');
      const metrics = existsSync(metricsPath) ? readJsonl<MetricsRow>(metricsPath) : [];
      const kept = selectKeptSteps(metrics, listCheckpoints(dir));
      const steps = pruneRun(dir, kept);
      console.log(`kept checkpoints ${steps.join(', ')} (memorisation: ${kept.memorisation ?? 'none'}, final: ${kept.final})`);
    });
}
