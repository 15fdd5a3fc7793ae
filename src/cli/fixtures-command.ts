// `grokdiff fixtures [RUN...]`: checks every fixture run folder (fixtures/checkpoints/<preset>/seed-<n>, or the
// folders given) against its MANIFEST.sha256; `--write-manifest` (re)writes the manifests instead, e.g. after
// adding a fixture. Exit 2 when a fixture does not match (the message names the file and how to rebuild it).

import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fixtureRunsDir } from '../claims/provider.ts';
import { CheckpointError, ConfigError, GrokdiffError } from '../errors.ts';
import { fixtureRunDirs, MANIFEST_NAME, verifyManifest, writeManifest } from '../train/fixture-manifest.ts';
import { assertRunWritable } from '../train/run-lock.ts';
import { hasRunFiles } from '../train/run-folder.ts';

interface FixturesOpts {
  writeManifest?: boolean;
  root?: string;
}

function runFolders(runs: readonly string[], root: string): string[] {
  if (runs.length === 0) {
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new ConfigError('cli-fixtures', `--root ${root}: no such folder`);
    const dirs = fixtureRunDirs(root);
    // Nothing checked is not a pass (issue 31: a root without fixtures exited 0).
    if (dirs.length === 0) throw new ConfigError('cli-fixtures', `--root ${root} holds no fixture runs (no <preset>/seed-<n> folders); nothing was checked`);
    return dirs;
  }
  return runs.map((r) => {
    const dir = resolve(r);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError('cli-fixtures', `${r}: no such folder`);
    if (!hasRunFiles(dir)) {
      throw new ConfigError('cli-fixtures', `${r} is not a run folder (it has no config.json and checkpoints/)`);
    }
    return dir;
  });
}

export function fixturesCommand(): Command {
  return new Command('fixtures')
    .description(`check the fixture runs against their ${MANIFEST_NAME} (sha256 of every file), or write the manifests with --write-manifest`)
    .argument('[runs...]', 'run folders (default: every <preset>/seed-<n> under --root)')
    .option('--write-manifest', `write ${MANIFEST_NAME} in each run folder (after adding or rebuilding a fixture)`)
    .option('--root <dir>', 'fixture root (default: GROKDIFF_FIXTURES_DIR, else fixtures/checkpoints)')
    .action((runs: string[], opts: FixturesOpts) => {
      const root = resolve(opts.root ?? fixtureRunsDir());
      const dirs = runFolders(runs, root);
      const shown = (d: string): string => relative(process.cwd(), d) || d;
      if (opts.writeManifest) {
        for (const dir of dirs) {
          assertRunWritable(dir);
          console.log(`${shown(join(dir, MANIFEST_NAME))}: ${writeManifest(dir).length} files`);
        }
        return;
      }
      const failures: string[] = [];
      for (const dir of dirs) {
        try {
          console.log(`ok ${shown(dir)} (${verifyManifest(dir, { required: true })} files)`);
        } catch (err) {
          if (!(err instanceof GrokdiffError)) throw err;
          failures.push(err.message);
          console.log(`FAILED ${shown(dir)}: ${err.message}`);
        }
      }
      if (failures.length > 0)
        throw new CheckpointError('fixtures-check', `${failures.length} of ${dirs.length} fixture runs do not match their manifest; first: ${failures[0]}`);
    });
}
