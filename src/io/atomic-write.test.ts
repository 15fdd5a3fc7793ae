import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.ts';
import { appendJsonl, readJsonl, readJsonlWithStatus, writeFileAtomic, writeJsonAtomic } from './atomic-write.ts';

const root = mkdtempSync(join(tmpdir(), 'grokdiff-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
};

function caught(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return err as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('writeFileAtomic', () => {
  it('writes bytes and text, creates parent dirs, replaces an old file, leaves no temp file', () => {
    const d = freshDir();
    const path = join(d, 'a', 'b', 'file.bin');
    writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    writeFileAtomic(path, 'héllo');
    expect(readFileSync(path, 'utf8')).toBe('héllo');
    writeFileAtomic(path, [Uint8Array.of(4), Uint8Array.of(5, 6)]);
    expect([...readFileSync(path)]).toEqual([4, 5, 6]);
    expect(readdirSync(join(d, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('a producer that fails mid-write leaves the old file intact and no temp file', () => {
    const d = freshDir();
    const path = join(d, 'ckpt.bin');
    writeFileAtomic(path, 'old contents');
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1000).fill(7);
      throw new Error('disk on fire');
    }
    const err = caught(() => writeFileAtomic(path, failing()));
    expect(err.code).toBe('write-failed');
    expect(err.message).toContain(path);
    expect(err.message).toContain('disk on fire');
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(d)).toEqual(['ckpt.bin']);
  });

  it('a failed rename (target is a directory) removes the temp file and keeps the directory', () => {
    const d = freshDir();
    const target = join(d, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expect(caught(() => writeFileAtomic(target, 'data')).code).toBe('write-failed');
    expect(readdirSync(d)).toEqual(['target']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('a parent that is a file is reported with the path', () => {
    const d = freshDir();
    writeFileSync(join(d, 'plain'), 'x');
    const err = caught(() => writeFileAtomic(join(d, 'plain', 'child.json'), 'data'));
    expect(err.code).toBe('write-failed');
    expect(err.message).toContain('child.json');
  });
});

describe('writeJsonAtomic', () => {
  it('writes pretty JSON with a final newline', () => {
    const path = join(freshDir(), 'config.json');
    writeJsonAtomic(path, { a: 1, b: [true, null] });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
  });
  it('rejects values without a JSON form and writes nothing', () => {
    const d = freshDir();
    expect(caught(() => writeJsonAtomic(join(d, 'x.json'), { big: 1n })).code).toBe('json-unserialisable');
    expect(caught(() => writeJsonAtomic(join(d, 'y.json'), undefined)).code).toBe('json-unserialisable');
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('JSON Lines metrics log', () => {
  it('appends one line per record and reads them back', () => {
    const path = join(freshDir(), 'logs', 'metrics.jsonl');
    appendJsonl(path, { step: 1, loss: 0.5 });
    appendJsonl(path, { step: 2, loss: 0.25, note: 'line\nbreak' });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(readJsonl(path)).toEqual([
      { step: 1, loss: 0.5 },
      { step: 2, loss: 0.25, note: 'line\nbreak' },
    ]);
  });

  it('tolerates a truncated last line (an interrupted run) and reports it', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    writeFileSync(path, '{"step":1}\n{"step":2}\n{"step":3,"lo');
    expect(readJsonlWithStatus(path)).toEqual({ records: [{ step: 1 }, { step: 2 }], truncatedTail: '{"step":3,"lo' });
    expect(readJsonl(path)).toEqual([{ step: 1 }, { step: 2 }]);
  });

  it('keeps a complete last record whose newline is missing', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    writeFileSync(path, '{"step":1}\n{"step":2}');
    expect(readJsonlWithStatus(path)).toEqual({ records: [{ step: 1 }, { step: 2 }], truncatedTail: null });
  });

  it('the next append after an interrupted run removes the partial line', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    appendJsonl(path, { step: 1 });
    appendFileSync(path, '{"step":2,"loss":0.1'); // killed mid-write
    appendJsonl(path, { step: 3 });
    expect(readFileSync(path, 'utf8')).toBe('{"step":1}\n{"step":3}\n');
  });

  it('repairs a long partial line (longer than the backward-scan chunk)', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    appendJsonl(path, { step: 1 });
    appendFileSync(path, `{"blob":"${'x'.repeat(200_000)}`);
    appendJsonl(path, { step: 2 });
    expect(readJsonl(path)).toEqual([{ step: 1 }, { step: 2 }]);
    writeFileSync(path, `{"blob":"${'y'.repeat(100_000)}`); // partial line with no newline at all
    appendJsonl(path, { step: 3 });
    expect(readFileSync(path, 'utf8')).toBe('{"step":3}\n');
  });

  it('rejects a corrupt middle line with its line number', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    writeFileSync(path, '{"step":1}\n{"step":2\n{"step":3}\n');
    const err = caught(() => readJsonl(path));
    expect(err.code).toBe('jsonl-corrupt');
    expect(err.message).toMatch(/metrics\.jsonl: line 2 is not valid JSON/);
  });

  it('rejects a corrupt last line that has its newline (the write completed, so it is not truncation)', () => {
    const path = join(freshDir(), 'metrics.jsonl');
    writeFileSync(path, '{"step":1}\n{"step":\n');
    expect(caught(() => readJsonl(path)).message).toMatch(/line 2/);
  });

  it('rejects an empty middle line; an empty file has no records', () => {
    const d = freshDir();
    writeFileSync(join(d, 'gap.jsonl'), '{"step":1}\n\n{"step":2}\n');
    expect(caught(() => readJsonl(join(d, 'gap.jsonl'))).message).toMatch(/line 2 is empty/);
    writeFileSync(join(d, 'empty.jsonl'), '');
    expect(readJsonl(join(d, 'empty.jsonl'))).toEqual([]);
  });

  it('a missing file and an unserialisable record are CheckpointErrors', () => {
    const d = freshDir();
    expect(caught(() => readJsonl(join(d, 'none.jsonl'))).code).toBe('file-missing');
    expect(caught(() => appendJsonl(join(d, 'x.jsonl'), undefined)).code).toBe('jsonl-record');
  });
});
