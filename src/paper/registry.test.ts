// The registry against the paper's public text (issue 15): every quote a registry entry carries occurs in the
// authors' parts of ../shared/paper/public-text.txt (compared without whitespace and the extraction's hyphenation
// marks, so a reflowed line still matches), a verified entry has a quote, and an unverified one says why. The
// parts of that file written by the hosting site (the pith, the referee report, the simulated rebuttal, ...)
// are not the paper and are cut out before the comparison. Without the text file the text checks are skipped
// with the reason; the structural checks always run.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PAPER, registryRows } from './registry.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEXT_PATH = join(REPO_ROOT, '..', 'shared', 'paper', 'public-text.txt');
const TEXT_ABSENT = existsSync(TEXT_PATH) ? null : `the paper's public text is not at ${TEXT_PATH}`;

/** Whitespace, soft hyphens and the U+FFFE marks the PDF extraction leaves inside hyphenated words are dropped. */
function normaliseForQuote(s: string): string {
  return s.replace(/[\s\u00ad\ufffe]+/gu, '');
}

/** The excerpts of a quote: " … " separates excerpts that stand apart in the same place. */
function excerpts(text: string): string[] {
  return text.split(' … ').map((e) => e.trim());
}

/**
 * The authors' parts of the text file: everything but the site's own sections — from "The pith" to the figure
 * list, and from "Editorial analysis" (referee report, simulated rebuttal, circularity check, axiom ledger) to
 * the reference graph, whose extracted fragments are the paper's appendix and tables.
 */
function authorsText(raw: string): string {
  const cut = (s: string, from: string, to: string): string => {
    const a = s.indexOf(from);
    const b = s.indexOf(to, a + 1);
    if (a < 0 || b < 0) throw new Error(`public-text.txt: cannot find the site section "${from}" … "${to}" to cut out; has the file changed?`);
    return s.slice(0, a) + s.slice(b);
  };
  return cut(cut(raw, '\nThe pith\n', '\nFigures\n'), '\nEditorial analysis\n', '\nReference graph\n');
}

describe('paper-parameter registry', () => {
  const rows = registryRows();

  it('a verified entry carries a quote (text and where); an unverified one says why', () => {
    for (const r of rows) {
      if (r.verified) {
        expect(r.quote?.text, `${r.key}: verified without a quote`).toBeTruthy();
        expect(r.quote?.where, `${r.key}: quote without where it stands`).toBeTruthy();
        expect(r.unverifiedBecause, `${r.key}: verified and unverifiedBecause`).toBeUndefined();
      } else {
        expect(r.unverifiedBecause, `${r.key}: unverified without the reason`).toBeTruthy();
      }
    }
  });

  it('confirms the values issue 15 names', () => {
    const verified = new Set(rows.filter((r) => r.verified).map((r) => r.key));
    for (const key of [
      'modulus',
      'imagesPerSymbol',
      'trainingRatio',
      'ffnWidth',
      'dModel',
      'activation',
      'parameterisation',
      'keyFrequencies',
      'trigFitFve',
      'trigFitExampleCoefficients',
      'rectificationCriticalLevel',
      'imageSide',
      'depthTwoGroks',
    ]) {
      expect(verified.has(key), key).toBe(true);
    }
    expect(PAPER.modulus.value).toBe(23);
    expect(PAPER.imagesPerSymbol.value).toEqual({ single: 1, diverse: 4, many: 256 });
    expect(PAPER.trainingRatio.value).toBe(0.9);
    expect(PAPER.ffnWidth.value).toBe(512);
    expect(PAPER.dModel.value).toBe(512);
    expect(PAPER.keyFrequencies.value).toEqual([1, 3, 7, 9]);
    expect(PAPER.trigFitFve.value).toEqual({ cos: 0.95, sin: 0.94 });
    expect(PAPER.rectificationCriticalLevel.value).toBe(0.005);
    expect(PAPER.imageSide.value).toBe(32);
    // Reading S as the image side is ours, and the entry says so.
    expect(PAPER.imageSide.note).toMatch(/reading S as the image side .*ours/i);
  });

  it('every quoted number of a verified entry is its value (the quote is about this value)', () => {
    const has = (key: keyof typeof PAPER, ...numbers: string[]) => {
      const q = normaliseForQuote(PAPER[key].quote?.text ?? '');
      for (const n of numbers) expect(q, `${key} quote lacks ${n}`).toContain(normaliseForQuote(n));
    };
    has('modulus', '23');
    has('imagesPerSymbol', '1, 4, 256');
    has('trainingRatio', '0.9');
    has('ffnWidth', '512');
    has('trigFitFve', '0.95', '0.94');
    has('trigFitExampleCoefficients', '138910', '139849', '137133', '136206');
    has('rectificationCriticalLevel', '0.5%');
    has('imageSide', 'S = 32');
    has('keyFrequencies', 'w1', 'w3', 'w7', 'w9');
  });

  describe.skipIf(TEXT_ABSENT !== null)(`against the public text${TEXT_ABSENT ? ` (skipped: ${TEXT_ABSENT})` : ''}`, () => {
    const raw = TEXT_ABSENT ? '' : readFileSync(TEXT_PATH, 'utf8');
    const authors = TEXT_ABSENT ? '' : normaliseForQuote(authorsText(raw));

    it("every quote occurs in the authors' parts of the text (whitespace-insensitive)", () => {
      const quoted = rows.filter((r) => r.quote);
      expect(quoted.length).toBeGreaterThan(10);
      for (const r of quoted) {
        for (const e of excerpts(r.quote!.text)) {
          expect(authors.includes(normaliseForQuote(e)), `${r.key}: "${e}" (${r.quote!.where}) is not in the authors' text`).toBe(true);
        }
      }
    });

    it("the site's sections are cut out: the referee's ablation request is not the authors' text", () => {
      const site = 'we will add targeted ablation experiments';
      expect(normaliseForQuote(raw)).toContain(normaliseForQuote(site));
      expect(authors).not.toContain(normaliseForQuote(site));
      expect(authors).toContain(normaliseForQuote('Modulus (P) 23'));
    });
  });
});
