import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectProvenance } from './provenance.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'grokdiff-provenance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway package with one installed and one missing @tensorflow dependency. */
function fakePackage(dir: string): void {
  mkdirSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-core'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'grokdiff',
      version: '9.9.9',
      dependencies: { '@tensorflow/tfjs-core': '1', other: '1' },
      optionalDependencies: { '@tensorflow/tfjs-node': '1' },
    }),
  );
  writeFileSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-core', version: '4.22.0' }));
}

describe('collectProvenance', () => {
  it('reads package versions from node_modules and names the missing ones', () => {
    const dir = join(scratch, 'pkg');
    mkdirSync(dir);
    fakePackage(dir);
    const p = collectProvenance(dir, { gitBinary: 'git-that-does-not-exist', now: () => new Date('2026-04-17T12:00:00Z') });
    expect(p.packageVersions).toEqual({ grokdiff: '9.9.9', '@tensorflow/tfjs-core': '4.22.0' });
    expect(p.packagesMissing).toEqual(['@tensorflow/tfjs-node']);
    expect(p.createdAt).toBe('2026-04-17T12:00:00.000Z');
  });

  it('does not throw when git is absent: commit null with a reason', () => {
    const p = collectProvenance(scratch, { gitBinary: 'git-that-does-not-exist' });
    expect(p.gitCommit).toBeNull();
    expect(p.gitDirty).toBeNull();
    expect(p.gitCommitReason).toMatch(/not found/);
    expect(p.packageVersions).toEqual({});
  });

  it.skipIf(!hasGit())('outside a repository: commit null with git’s reason', () => {
    const p = collectProvenance(join(scratch));
    expect(p.gitCommit).toBeNull();
    expect(p.gitCommitReason).toMatch(/git rev-parse/);
  });

  it.skipIf(!hasGit())('in a fresh repository: commit hash, clean, then dirty', () => {
    const dir = join(scratch, 'repo');
    mkdirSync(dir);
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { stdio: 'ignore' });
    git('init', '-q');
    writeFileSync(join(dir, 'a.txt'), 'a');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'init');
    const clean = collectProvenance(dir);
    expect(clean.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(clean.gitCommitReason).toBeNull();
    expect(clean.gitDirty).toBe(false);
    writeFileSync(join(dir, 'a.txt'), 'changed');
    expect(collectProvenance(dir).gitDirty).toBe(true);
  });

  it('this repository: grokdiff and the installed tfjs packages, machine fields filled', () => {
    const p = collectProvenance(repoRoot);
    expect(p.packageVersions.grokdiff).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.packageVersions['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.nodeVersion).toBe(process.version);
    expect(p.platform).toBe(`${process.platform}-${process.arch}`);
    expect(p.cpuModel.length).toBeGreaterThan(0);
    expect(p.cpuCount).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(p.createdAt))).toBe(false);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});
