// The committed data fixtures are exactly the bytes their provenance records: every file listed in
// fixtures/{emnist,k49,npz}/provenance.json has that sha256 and size, and the EMNIST files hold the recorded
// counts and first labels. A failure here means a fixture was changed without updating its provenance.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEmnistMapping } from './emnist.ts';
import { FIXTURES_DIR } from './files.ts';
import { readIdxFile } from '../io/idx.ts';

interface Entry {
  sha256: string;
  bytes: number;
  kind?: string;
  count?: number;
  firstLabels?: number[];
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

for (const folder of ['emnist', 'k49', 'npz']) {
  describe(`fixtures/${folder}`, () => {
    const dir = join(FIXTURES_DIR, folder);
    const files = (JSON.parse(readFileSync(join(dir, 'provenance.json'), 'utf8')) as { files: Record<string, Entry> }).files;

    it('lists every data file in the folder', () => {
      const present = readdirSync(dir).filter((f) => !/^(PROVENANCE\.md|provenance\.json|\.gitattributes|.*\.py)$/.test(f));
      expect(present.sort()).toEqual(Object.keys(files).sort());
    });

    for (const [name, e] of Object.entries(files)) {
      it(`${name}: sha256 ${e.sha256.slice(0, 12)}…, ${e.bytes} bytes${e.count !== undefined ? `, ${e.count} ${e.kind}` : ''}`, () => {
        const path = join(dir, name);
        expect(readFileSync(path).length).toBe(e.bytes);
        expect(sha256(path)).toBe(e.sha256);
        if (e.kind === 'images' || e.kind === 'labels') {
          const a = readIdxFile(path, e.kind);
          expect(a.dims[0]).toBe(e.count);
          if (e.kind === 'images') expect(a.dims.slice(1)).toEqual([28, 28]);
          if (e.firstLabels) expect(Array.from(a.data.subarray(0, e.firstLabels.length))).toEqual(e.firstLabels);
        }
        if (e.kind === 'mapping') expect(readEmnistMapping(path)).toHaveLength(e.count!);
      });
    }
  });
}
