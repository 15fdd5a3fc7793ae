// Content-addressed fixtures (issue 19): every committed fixture run has a MANIFEST.sha256 that matches it;
// a corpus of corruptions of a copy of a real fixture (a flipped exponent byte in the weights, a truncated
// file, an edited config or log, a missing or unlisted file, a broken manifest) is each refused with a typed
// error naming the file and the command that rebuilds the fixture — by the manifest check, by loadRun, and
// by the claims' model provider, which turns it into a reason ("not evaluated"), never a verdict.
// @module-tag reliability
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_RUNS_DIR, provideRun, readRunDir } from '../claims/provider.ts';
import { initBackend } from '../engine/backend.ts';
import { CheckpointError } from '../errors.ts';
import { fixtureRunDirs, MANIFEST_NAME, verifyManifest, writeManifest } from './fixture-manifest.ts';
import { loadRun } from '../eval/loaded-run.ts';

const SOURCE = join(FIXTURE_RUNS_DIR, 'cpu-n1', 'seed-2');
const WEIGHTS = 'checkpoints/step-002250/weights.safetensors';
const roots: string[] = [];
afterAll(() =>
  roots.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);
beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

/** A copy of the cpu-n1 seed-2 fixture under <root>/cpu-n1/seed-2, changed by `corrupt`. */
function corruptedCopy(corrupt: (dir: string) => void): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'grokdiff-manifest-'));
  roots.push(root);
  const dir = join(root, 'cpu-n1', 'seed-2');
  cpSync(SOURCE, dir, { recursive: true });
  corrupt(dir);
  return { root, dir };
}

/** Flips the exponent's high bit of the first float32 of the first tensor (the silent corruption). */
function flipExponentByte(file: string): void {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const at = 8 + headerLength + 3; // little-endian float32: byte 3 holds the sign and the high exponent bits
  bytes[at] ^= 0x40;
  writeFileSync(file, bytes);
}

const CORPUS: ReadonlyArray<{ name: string; corrupt: (dir: string) => void; code: string; names: string }> = [
  { name: 'one exponent byte flipped in the weights', corrupt: (d) => flipExponentByte(join(d, WEIGHTS)), code: 'fixture-corrupt', names: WEIGHTS },
  {
    name: 'weights truncated by a byte',
    corrupt: (d) => truncateSync(join(d, WEIGHTS), readFileSync(join(d, WEIGHTS)).length - 1),
    code: 'fixture-corrupt',
    names: WEIGHTS,
  },
  { name: 'weights file emptied (full disk)', corrupt: (d) => truncateSync(join(d, WEIGHTS), 0), code: 'fixture-corrupt', names: WEIGHTS },
  {
    name: 'config.json edited',
    corrupt: (d) => writeFileSync(join(d, 'config.json'), readFileSync(join(d, 'config.json'), 'utf8').replace('"seed": 2', '"seed": 2 ')),
    code: 'fixture-corrupt',
    names: 'config.json',
  },
  {
    name: 'a metrics row appended',
    corrupt: (d) => appendFileSync(join(d, 'metrics.jsonl'), '{"step": 99999}\n'),
    code: 'fixture-corrupt',
    names: 'metrics.jsonl',
  },
  {
    name: 'state.json deleted',
    corrupt: (d) => unlinkSync(join(d, 'checkpoints/step-002250/state.json')),
    code: 'fixture-file-missing',
    names: 'checkpoints/step-002250/state.json',
  },
  {
    name: 'an unlisted checkpoint file added',
    corrupt: (d) => writeFileSync(join(d, 'checkpoints/step-002250/optimizer.safetensors'), 'x'),
    code: 'fixture-file-unlisted',
    names: 'optimizer.safetensors',
  },
  { name: 'the manifest deleted', corrupt: (d) => unlinkSync(join(d, MANIFEST_NAME)), code: 'manifest-missing', names: 'fixtures --write-manifest' },
  {
    name: 'a manifest line garbled',
    corrupt: (d) => writeFileSync(join(d, MANIFEST_NAME), `not a sha  config.json\n${readFileSync(join(d, MANIFEST_NAME), 'utf8')}`),
    code: 'manifest-corrupt',
    names: 'line 1',
  },
  {
    name: 'a manifest path escaping the folder',
    corrupt: (d) => appendFileSync(join(d, MANIFEST_NAME), `${'0'.repeat(64)}  ../../etc/passwd\n`),
    code: 'manifest-corrupt',
    names: MANIFEST_NAME,
  },
];

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('fixture manifests (content-addressed fixtures)', () => {
  it('every committed fixture run has a MANIFEST.sha256 that matches it (else: npx grokdiff fixtures --write-manifest <run>)', () => {
    const runs = fixtureRunDirs(FIXTURE_RUNS_DIR);
    expect(runs.length).toBeGreaterThan(0);
    for (const dir of runs) expect(verifyManifest(dir, { required: true }), dir).toBeGreaterThan(0);
  });

  it("writeManifest then verifyManifest round-trips; the format is sha256sum's", () => {
    const { dir } = corruptedCopy((d) => unlinkSync(join(d, MANIFEST_NAME)));
    const entries = writeManifest(dir);
    expect(entries.map((e) => e.path)).toContain(WEIGHTS);
    expect(readFileSync(join(dir, MANIFEST_NAME), 'utf8')).toMatch(/^[0-9a-f]{64} {2}checkpoints\/step-\d{6}\/state\.json\n/);
    expect(verifyManifest(dir)).toBe(entries.length);
  });

  describe.each(CORPUS)('corrupt fixture: $name', ({ corrupt, code, names }) => {
    it(`is refused with ${code}, naming the file and how to rebuild it`, () => {
      const { dir } = corruptedCopy(corrupt);
      // As the claims' model provider reads a fixture: the manifest is checked before anything else.
      const err = thrown(() => readRunDir(dir, 'cpu-n1', 2, 'fixture'));
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as CheckpointError).code).toBe(code);
      expect((err as Error).message).toContain(names);
      if (code.startsWith('fixture-'))
        expect((err as Error).message).toContain('npx grokdiff train --preset cpu-n1 --seed 2 --out fixtures/checkpoints/cpu-n1/seed-2 && npx grokdiff prune');
    });
  });

  it('loadRun (grokdiff eval / sample, the claims) refuses a fixture whose weights changed by one byte', () => {
    const { dir } = corruptedCopy((d) => flipExponentByte(join(d, WEIGHTS)));
    expect(() => loadRun(dir)).toThrow(/weights\.safetensors: sha256 [0-9a-f]{64} differs from [0-9a-f]{64} in .*MANIFEST\.sha256/);
    // The same checkpoint folder given directly is checked against its run's manifest too.
    expect(() => loadRun(join(dir, 'checkpoints', 'step-002250'))).toThrow(CheckpointError);
  });

  it('the model provider turns a corrupt fixture into a reason (the claim is "not evaluated"), naming the file and the command', async () => {
    const { root } = corruptedCopy((d) => flipExponentByte(join(d, WEIGHTS)));
    const p = await provideRun('cpu-n1', 2, { fixturesRoot: root, cacheRoot: root, allowTraining: false, log: () => {} });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(/weights\.safetensors: sha256 .* differs .*npx grokdiff train --preset cpu-n1 --seed 2/);
    const { root: root2 } = corruptedCopy((d) => unlinkSync(join(d, MANIFEST_NAME)));
    const q = await provideRun('cpu-n1', 2, { fixturesRoot: root2, cacheRoot: root2, allowTraining: false, log: () => {} });
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.reason).toMatch(/has no MANIFEST\.sha256.*npx grokdiff fixtures --write-manifest/);
  });
});
