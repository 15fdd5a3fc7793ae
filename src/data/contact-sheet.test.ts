// Tests of the contact sheet: PNG size, white background, dark ink, grey gaps, upright placement (a mark in
// the top-left of an image lands top-left in its cell), and the column cap.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { contactSheetPng } from './contact-sheet.ts';
import { buildSymbolSet } from './symbols.ts';
import { expectConfigError, syntheticPool } from '../../test-support/synthetic-data.ts';

describe('contactSheetPng', () => {
  const pool = syntheticPool([3, 3, 3]);
  for (const list of pool.train.byClass) for (const im of list) (im.pixels as Uint8Array).fill(0).fill(255, 0, 3); // ink at (0,0..2)
  const set = buildSymbolSet({ pool, P: 3, N: 3, side: 28, rng: rootRng(1).fork('s') });
  const grey = (png: PNG, x: number, y: number): number => png.data[(y * png.width + x) * 4];

  it('draws P rows × N columns with 1-px grey gaps, white background and dark ink, upright', () => {
    const png = PNG.sync.read(contactSheetPng(set, { scale: 2 }));
    expect([png.width, png.height]).toEqual([3 * 56 + 4, 3 * 56 + 4]);
    expect(grey(png, 0, 0)).toBe(150); // gap
    expect(grey(png, 57, 10)).toBe(150); // gap between columns 0 and 1
    // cell (row 1, col 2) starts at x = 1 + 2·57, y = 1 + 57
    const x0 = 1 + 2 * 57;
    const y0 = 1 + 57;
    expect(grey(png, x0, y0)).toBe(0); // ink, top-left
    expect(grey(png, x0 + 5, y0 + 1)).toBe(0); // third pixel of the top row, scaled ×2
    expect(grey(png, x0 + 6, y0)).toBe(255); // background right of the mark
    expect(grey(png, x0, y0 + 2)).toBe(255); // background below the mark
  });

  it('caps the columns and validates its options', () => {
    const png = PNG.sync.read(contactSheetPng(set, { scale: 1, maxColumns: 2 }));
    expect(png.width).toBe(2 * 28 + 3);
    expectConfigError(() => contactSheetPng(set, { scale: 0 }), 'contact-sheet', 'scale = 0');
    expectConfigError(() => contactSheetPng(set, { maxColumns: 1.5 }), 'contact-sheet', 'maxColumns = 1.5');
  });
});
