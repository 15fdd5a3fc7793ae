// Content-addressed fixtures (issue 19): every fixture run folder (fixtures/checkpoints/<preset>/seed-<n>)
// carries MANIFEST.sha256, the sha256 of every file in it, in the format of `sha256sum` (so
// `cd <run> && sha256sum -c MANIFEST.sha256` checks it without grokdiff). It is written by `grokdiff prune`
// (the command that makes a fixture) and by `grokdiff fixtures --write-manifest`, and verified whenever a
// run folder that has one is loaded: a file whose bytes differ, a listed file that is missing, or a file that
// is not listed is a CheckpointError naming the file and the command that rebuilds the fixture, so a flipped
// byte can never be judged silently. One manifest per run folder: adding a fixture touches no other file.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { CheckpointError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';

export const MANIFEST_NAME = 'MANIFEST.sha256';

export interface ManifestEntry {
  /** Path relative to the run folder, with forward slashes. */
  readonly path: string;
  readonly sha256: string;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Every file of a run folder that the manifest covers, relative, sorted: all regular files except the
 * manifest itself, hidden files (locks, temp files of an interrupted atomic write) and the run lock.
 */
export function manifestFiles(runDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !(dir === runDir && entry.name === MANIFEST_NAME)) out.push(relative(runDir, full).split(sep).join('/'));
    }
  };
  walk(runDir);
  return out.sort();
}

/** The manifest of a run folder as it is now. */
export function computeManifest(runDir: string): ManifestEntry[] {
  return manifestFiles(runDir).map((path) => ({ path, sha256: sha256File(join(runDir, path)) }));
}

/** Writes <runDir>/MANIFEST.sha256 (atomically) and returns its entries. */
export function writeManifest(runDir: string): ManifestEntry[] {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new CheckpointError('manifest-dir', `${runDir} is not a folder`);
  const entries = computeManifest(runDir);
  writeFileAtomic(join(runDir, MANIFEST_NAME), entries.map((e) => `${e.sha256}  ${e.path}\n`).join(''));
  return entries;
}

export function hasManifest(runDir: string): boolean {
  return existsSync(join(runDir, MANIFEST_NAME));
}

/** Parses MANIFEST.sha256 (`<64 hex>  <path>` per line); a malformed line is a CheckpointError naming it. */
export function readManifest(runDir: string): ManifestEntry[] {
  const path = join(runDir, MANIFEST_NAME);
  if (!existsSync(path)) throw new CheckpointError('manifest-missing', `${path} does not exist`);
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m || m[2].startsWith('/') || m[2].split('/').includes('..')) {
      throw new CheckpointError('manifest-corrupt', `${path}: line ${i + 1} is not "<sha256>  <relative path>": ${JSON.stringify(line.slice(0, 80))}`);
    }
    return { sha256: m[1], path: m[2] };
  });
}

/** How to rebuild a run folder: for a committed fixture, the train + prune commands; otherwise the manifest command. */
export type RebuildHint = (runDir: string) => string;

/** How to rebuild the fixture run of a preset and seed: restore it from git, or retrain and prune it (prune writes the manifest). */
export function fixtureCommandsHint(preset: string, seed: number, runDir: string): string {
  const out = `fixtures/checkpoints/${preset}/seed-${seed}`;
  return (
    `restore the committed files (git checkout -- ${out}) or rebuild the fixture with: npx grokdiff train --preset ${preset} --seed ${seed} --out ${out} && ` +
    `npx grokdiff prune --run ${out} (prune writes ${MANIFEST_NAME}); if the change is intended, record it with: npx grokdiff fixtures --write-manifest ${runDir}`
  );
}

/** The rebuild hint of a run folder: the fixture commands for …/checkpoints/<preset>/seed-<n>, else the manifest command. */
export function fixtureRebuildHint(runDir: string): string {
  const seed = /^seed-(\d+)$/.exec(basename(runDir))?.[1];
  if (seed === undefined || basename(dirname(dirname(runDir))) !== 'checkpoints') {
    return `if the files are right, record them with: npx grokdiff fixtures --write-manifest ${runDir}`;
  }
  return fixtureCommandsHint(basename(dirname(runDir)), Number(seed), runDir);
}

/**
 * Checks every file of a run folder against its MANIFEST.sha256. Throws CheckpointError
 * 'fixture-corrupt' (bytes differ), 'fixture-file-missing' (listed, absent), 'fixture-file-unlisted' (present,
 * not listed) or 'manifest-missing' (no manifest and `required`), each naming the file and how to rebuild it.
 * Returns the number of files checked (0 when there is no manifest and it is not required).
 */
export function verifyManifest(runDir: string, options: { required?: boolean; hint?: RebuildHint } = {}): number {
  const hint = options.hint ?? fixtureRebuildHint;
  if (!hasManifest(runDir)) {
    if (!options.required) return 0;
    throw new CheckpointError(
      'manifest-missing',
      `${runDir} has no ${MANIFEST_NAME}: its files cannot be checked, so it is not used. Write it with: npx grokdiff fixtures --write-manifest ${runDir}`,
    );
  }
  const entries = readManifest(runDir);
  const listed = new Set(entries.map((e) => e.path));
  for (const e of entries) {
    const file = join(runDir, e.path);
    if (!existsSync(file)) throw new CheckpointError('fixture-file-missing', `${file} is listed in ${MANIFEST_NAME} but missing; ${hint(runDir)}`);
    const digest = sha256File(file);
    if (digest !== e.sha256) {
      throw new CheckpointError(
        'fixture-corrupt',
        `${file}: sha256 ${digest} differs from ${e.sha256} in ${join(runDir, MANIFEST_NAME)} (the file is corrupt or was changed); ${hint(runDir)}`,
      );
    }
  }
  for (const path of manifestFiles(runDir)) {
    if (!listed.has(path))
      throw new CheckpointError('fixture-file-unlisted', `${join(runDir, path)} is not listed in ${join(runDir, MANIFEST_NAME)}; ${hint(runDir)}`);
  }
  return entries.length;
}

/** Every run folder (<preset>/seed-<n>) under a fixtures root, sorted. */
export function fixtureRunDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const preset of readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    for (const seed of readdirSync(join(root, preset), { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^seed-\d+$/.test(e.name))
      .map((e) => e.name)
      .sort()) {
      out.push(join(root, preset, seed));
    }
  }
  return out;
}
