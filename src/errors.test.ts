// The typed errors (src/errors.ts) and the lint rule that keeps plain Errors out of shipped code
// (lint/no-plain-error.grit, run by `npm run lint`): the rule's negative control.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError, GrokdiffError } from './errors.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('typed errors', () => {
  it('carry their layer, code and class name', () => {
    const e = new DataError('idx-magic', 'a.idx: magic 0 is not an IDX header');
    expect(e).toBeInstanceOf(GrokdiffError);
    expect([e.layer, e.code, e.name]).toEqual(['data', 'idx-magic', 'DataError']);
  });
});

describe('lint rule no-plain-error', () => {
  it('rejects a plain Error in shipped code and allows it in a test file', { timeout: 60_000 }, () => {
    const dir = join(REPO_ROOT, 'src', `lint-probe-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const body = "export function f(x: number): void {\n  if (x > 0) throw new Error('x');\n  if (x < 0) throw Error('y');\n}\n";
      writeFileSync(join(dir, 'shipped.ts'), body);
      writeFileSync(join(dir, 'allowed.test.ts'), body);
      const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
      const r = spawnSync(biome, ['lint', '--colors=off', '--max-diagnostics=50', dir], { cwd: REPO_ROOT, encoding: 'utf8' });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).not.toBe(0);
      const flagged = [...out.matchAll(/lint-probe-\d+\/(\S+):(\d+):\d+ plugin/g)].map((m) => `${m[1]}:${m[2]}`);
      expect(flagged.sort()).toEqual(['shipped.ts:2', 'shipped.ts:3']);
      expect(out).toContain("throw the layer's typed error");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
