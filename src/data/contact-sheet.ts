// Contact sheet of a symbol set: a PNG grid with one row per symbol and one column per image (at most
// `maxColumns`), upright, dark ink on a white background, cells separated by a 1-px grey gap. For looking at
// the data the paper's models learn from (paper Sec. 3, Figure 2 shows such symbol images).

import { PNG } from 'pngjs';
import { ConfigError } from '../errors.ts';
import type { SymbolSet } from './symbols.ts';

export interface ContactSheetOptions {
  /** Integer magnification of each image pixel (default 2). */
  readonly scale?: number;
  /** Most columns drawn (default 16); further images are left out. */
  readonly maxColumns?: number;
  /** Gap between cells in output pixels (default 1). */
  readonly gap?: number;
}

const GAP_GREY = 150;

function checkOption(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError('contact-sheet', `contactSheetPng: ${name} = ${v} is invalid; expected an integer in [${min}, ${max}]`);
  }
  return v;
}

/** Render the symbol set as PNG bytes: P rows × min(N, maxColumns) columns. */
export function contactSheetPng(set: SymbolSet, options: ContactSheetOptions = {}): Buffer {
  const scale = checkOption('scale', options.scale ?? 2, 1, 32);
  const maxColumns = checkOption('maxColumns', options.maxColumns ?? 16, 1, 4096);
  const gap = checkOption('gap', options.gap ?? 1, 0, 16);
  const cols = Math.min(set.N, maxColumns);
  const cell = set.side * scale;
  const width = cols * cell + (cols + 1) * gap;
  const height = set.P * cell + (set.P + 1) * gap;
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
  png.data.fill(GAP_GREY);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const [lo, hi] = set.pixelRange;
  const size = set.side * set.side;
  for (let k = 0; k < set.P; k++) {
    for (let j = 0; j < cols; j++) {
      const base = (k * set.N + j) * size;
      const x0 = gap + j * (cell + gap);
      const y0 = gap + k * (cell + gap);
      for (let r = 0; r < set.side; r++) {
        for (let c = 0; c < set.side; c++) {
          const ink = Math.min(1, Math.max(0, (set.images[base + r * set.side + c] - lo) / (hi - lo)));
          const grey = Math.round(255 * (1 - ink));
          for (let dy = 0; dy < scale; dy++) {
            for (let dx = 0; dx < scale; dx++) {
              const p = ((y0 + r * scale + dy) * width + x0 + c * scale + dx) * 4;
              png.data[p] = png.data[p + 1] = png.data[p + 2] = grey;
            }
          }
        }
      }
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
