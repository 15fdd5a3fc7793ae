// Provenance of a checkpoint or report: which code (git commit, dirty tree), which library versions
// (grokdiff and its @tensorflow/* packages as installed), and which machine produced it, and when. Saved
// beside every checkpoint so a number in a report can be traced back. Never throws for a missing git or
// package: an unknown field is null with the reason written next to it.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export interface Provenance {
  /** HEAD commit hash, or null when it could not be read (see gitCommitReason). */
  gitCommit: string | null;
  /** Why gitCommit (and gitDirty) are null: no git binary, not a repository, ... */
  gitCommitReason: string | null;
  /** Uncommitted changes to tracked or untracked (not ignored) files; null when git could not tell. */
  gitDirty: boolean | null;
  /** Installed versions: grokdiff and every @tensorflow/* package it declares that is installed. */
  packageVersions: Record<string, string>;
  /** Declared @tensorflow/* packages that are not installed (optional backends). */
  packagesMissing: string[];
  nodeVersion: string;
  /** process.platform-process.arch, e.g. linux-x64. */
  platform: string;
  cpuModel: string;
  cpuCount: number;
  createdAt: string;
}

export interface ProvenanceOptions {
  /** The git executable (tests point this at a missing binary). Default: 'git'. */
  gitBinary?: string;
  /** The clock (tests fix it). */
  now?: () => Date;
}

type GitResult = { ok: true; out: string } | { ok: false; reason: string };

function runGit(gitBinary: string, repoRoot: string, args: string[]): GitResult {
  try {
    const out = execFileSync(gitBinary, ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return { ok: true, out: out.trim() };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return { ok: false, reason: `git executable "${gitBinary}" not found` };
    const detail = (typeof e.stderr === 'string' && e.stderr.trim()) || e.message;
    return { ok: false, reason: `git ${args.join(' ')} failed in ${repoRoot}: ${detail.split('\n')[0]}` };
  }
}

function gitState(repoRoot: string, gitBinary: string): Pick<Provenance, 'gitCommit' | 'gitCommitReason' | 'gitDirty'> {
  const head = runGit(gitBinary, repoRoot, ['rev-parse', '--verify', 'HEAD']);
  if (!head.ok) return { gitCommit: null, gitCommitReason: head.reason, gitDirty: null };
  const status = runGit(gitBinary, repoRoot, ['status', '--porcelain']);
  return { gitCommit: head.out, gitCommitReason: null, gitDirty: status.ok ? status.out !== '' : null };
}

function readPackageJson(path: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function declaredTensorflowPackages(pkg: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies']) {
    const deps = pkg[field];
    if (deps && typeof deps === 'object') for (const name of Object.keys(deps)) if (name.startsWith('@tensorflow/')) names.add(name);
  }
  return [...names].sort();
}

function packageState(repoRoot: string): Pick<Provenance, 'packageVersions' | 'packagesMissing'> {
  const packageVersions: Record<string, string> = {};
  const packagesMissing: string[] = [];
  const root = readPackageJson(join(repoRoot, 'package.json'));
  if (root === null) return { packageVersions, packagesMissing };
  if (typeof root.name === 'string' && typeof root.version === 'string') packageVersions[root.name] = root.version;
  for (const name of declaredTensorflowPackages(root)) {
    const version = readPackageJson(join(repoRoot, 'node_modules', name, 'package.json'))?.version;
    if (typeof version === 'string') packageVersions[name] = version;
    else packagesMissing.push(name);
  }
  return { packageVersions, packagesMissing };
}

/** Collects the provenance record for the code at `repoRoot`. Never throws. */
export function collectProvenance(repoRoot: string, options: ProvenanceOptions = {}): Provenance {
  const cpuList = cpus();
  return {
    ...gitState(repoRoot, options.gitBinary ?? 'git'),
    ...packageState(repoRoot),
    nodeVersion: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuModel: cpuList[0]?.model.trim() || 'unknown',
    cpuCount: cpuList.length,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
  };
}
