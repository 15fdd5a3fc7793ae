// `grokdiff prune --run DIR`: keeps only the memorisation-phase and final complete checkpoints of a run (and
// drops optimizer state) so a run can be committed as a small fixture, and writes its MANIFEST.sha256.
// Incomplete step folders (a crash mid-save) are reported and deleted only with --delete-orphans.

import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { MANIFEST_NAME, writeManifest } from '../train/fixture-manifest.ts';
import { compactRun } from '../train/compact.ts';
import { pruneRun } from '../train/prune.ts';
import { hasRunFiles } from '../train/run-folder.ts';

export function pruneCommand(): Command {
  return new Command('prune')
    .description(`keep only the memorisation-phase and final checkpoints of a run (for fixtures); drops optimizer state; writes ${MANIFEST_NAME}`)
    .requiredOption('--run <dir>', 'run directory')
    .option('--delete-orphans', 'also delete incomplete checkpoint folders (left by a crash while saving); kept otherwise')
    .option('--no-manifest', `do not write ${MANIFEST_NAME} (the sha256 of every file, checked when a fixture is loaded)`)
    .option('--compact', 'store the kept checkpoints but the final one as F16 weights (for large fixtures; the final one, which claims judge, stays float32)')
    .action((opts: { run: string; deleteOrphans?: boolean; manifest: boolean; compact?: boolean }) => {
      const dir = resolve(opts.run);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError('cli-run', `--run ${opts.run}: no such folder`);
      if (!hasRunFiles(dir)) {
        throw new ConfigError('cli-run', `--run ${opts.run} is not a grokdiff run (it has no config.json and checkpoints/)`);
      }
      const r = pruneRun(dir, { deleteOrphans: Boolean(opts.deleteOrphans), manifest: opts.manifest && !opts.compact });
      console.log(`kept checkpoints ${r.steps.join(', ')} (memorisation: ${r.kept.memorisation ?? 'none'}, final: ${r.kept.final})`);
      if (opts.compact) {
        const c = compactRun(dir);
        console.log(
          `compacted: ${c.checkpoints} checkpoints, ${(c.bytesBefore / 1e6).toFixed(1)} MB → ${(c.bytesAfter / 1e6).toFixed(1)} MB (largest F16 rounding error ${c.maxAbsError.toExponential(2)})`,
        );
        if (opts.manifest) console.log(`${join(dir, MANIFEST_NAME)}: ${writeManifest(dir).length} files (check with: npx grokdiff fixtures ${dir})`);
      }
      for (const o of r.orphans) console.log(`${r.orphansDeleted ? 'deleted' : 'kept'} incomplete checkpoint step ${o.step}: ${o.problem}`);
      for (const b of r.badOptimizers)
        console.log(`step ${b.step}: its optimizer file was corrupt (dropped; the weights load and were judged as usual): ${b.optimizerProblem}`);
      if (r.metricsTailDropped !== null)
        console.log(`metrics.jsonl: removed a last line cut short by a killed writer: ${JSON.stringify(r.metricsTailDropped.slice(0, 60))}`);
      if (r.orphans.length > 0 && !r.orphansDeleted) console.log('(run again with --delete-orphans to delete the incomplete checkpoints)');
      if (r.manifestFiles !== null) console.log(`${join(dir, MANIFEST_NAME)}: ${r.manifestFiles} files (check with: npx grokdiff fixtures ${dir})`);
    });
}
