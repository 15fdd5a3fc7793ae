// Making folders without a loop (issue 31): Node's recursive mkdirSync never returns on /proc (it makes the
// parent, which exists, and retries the child forever, inside one native call where no signal is handled);
// makeFolder makes each missing component once and fails with a typed error. pseudoFilesystem names /proc.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.ts';
import { makeFolder, pseudoFilesystem } from './make-folder.ts';

const root = mkdtempSync(join(tmpdir(), 'grokdiff-mkdir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const onLinuxProc = process.platform === 'linux' && pseudoFilesystem('/proc') === 'proc';

describe('makeFolder', () => {
  it('makes every missing component, and accepts a folder that exists', () => {
    const deep = join(root, 'a', 'b', 'c');
    makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeFolder(deep);
    makeFolder(root);
  });
  it('a file on the path is a typed error naming it', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(() => makeFolder(join(file, 'x', 'y'))).toThrow(CheckpointError);
    expect(() => makeFolder(join(file, 'x', 'y'))).toThrow(`${file} is a file, not a folder`);
    expect(() => makeFolder(file)).toThrow(/is a file, not a folder/);
  });
  it.runIf(process.getuid?.() !== 0)('a folder that cannot be written is a typed error naming the mkdir that failed', () => {
    const ro = join(root, 'ro');
    mkdirSync(ro, { mode: 0o555 });
    expect(() => makeFolder(join(ro, 'x', 'y'))).toThrow(/mkdir .*ro\/x failed \(EACCES\)/);
  });
  it.runIf(onLinuxProc)('on /proc it returns at once with a typed error (recursive mkdirSync never returns there)', () => {
    const t0 = Date.now();
    expect(() => makeFolder('/proc/grokdiff-x/y')).toThrow(/cannot create the folder \/proc\/grokdiff-x\/y: mkdir \/proc\/grokdiff-x failed \(ENOENT\)/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('pseudoFilesystem', () => {
  it.runIf(onLinuxProc)('names proc and sysfs, and nothing for an ordinary folder', () => {
    expect(pseudoFilesystem('/proc/self')).toBe('proc');
    expect(pseudoFilesystem(root)).toBeNull();
  });
});
