// Benchmark of the Fourier-analysis fast path (src/analysis) on the paper's largest grid, P = 47 (the
// Kuzushiji-49 study): a 47×47×512 activation block, all 512 units. Compares the 2-D DFT (fft.js + Bluestein,
// two real units packed per complex transform) with the direct DFT (separable O(P³) per unit) and with
// dense projections on the P² basis functions (O(P⁴) per unit, measured on a slice of units and scaled),
// and times the full FVE decomposition (paper Sec. 4.1) and a trig-identity fit (Table 3).
// Run: npx tsx bench/dft.bench.ts   (or npm run bench dft). Prints one table; never part of npm test.

import { rootRng } from '../src/engine/random.ts';
import { createDftEngine, dft2dBlock, directDft2dBlock } from '../src/analysis/dft.ts';
import { fourierBasis } from '../src/analysis/basis.ts';
import { fveOfActivations } from '../src/analysis/fve.ts';
import { trigIdentityFit } from '../src/analysis/trig-fit.ts';

const P = 47;
const UNITS = 512;
const DENSE_SLICE = 16;

interface Row {
  readonly name: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
  readonly note: string;
}

function time(name: string, runs: number, warmup: number, fn: () => unknown, note = '', factor = 1): Row {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push((performance.now() - start) * factor);
  }
  samples.sort((a, b) => a - b);
  return { name, medianMs: samples[Math.floor(runs / 2)], minMs: samples[0], runs, note };
}

/** Dense projections: the coefficient of every 2-D basis function as a P²-term dot product (O(P⁴) per unit). */
function denseProjections(values: Float64Array, units: number): Float64Array {
  const { vectors } = fourierBasis(P);
  const out = new Float64Array(P * P * units);
  const column = new Float64Array(P * P);
  for (let u = 0; u < units; u++) {
    for (let c = 0; c < P * P; c++) column[c] = values[c * units + u];
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < P; j++) {
        let s = 0;
        for (let a = 0; a < P; a++) {
          const va = vectors[i * P + a];
          for (let b = 0; b < P; b++) s += column[a * P + b] * va * vectors[j * P + b];
        }
        out[(i * P + j) * units + u] = s;
      }
    }
  }
  return out;
}

function main(): void {
  const rng = rootRng(47);
  const block = Float64Array.from({ length: P * P * UNITS }, () => rng.normal());
  const slice = Float64Array.from({ length: P * P * DENSE_SLICE }, (_, i) => block[Math.floor(i / DENSE_SLICE) * UNITS + (i % DENSE_SLICE)]);
  const engine = createDftEngine();

  // Check the paths agree before timing them.
  const fast = dft2dBlock(block, P, UNITS, engine);
  const direct = directDft2dBlock(block, P, UNITS);
  let worst = 0;
  for (let i = 0; i < fast.re.length; i++) worst = Math.max(worst, Math.abs(fast.re[i] - direct.re[i]), Math.abs(fast.im[i] - direct.im[i]));

  const rows: Row[] = [
    time('2-D DFT, fft.js + Bluestein (dft2dBlock)', 9, 2, () => dft2dBlock(block, P, UNITS, engine), `plan: ${engine.planKind(P)}, M = 128`),
    time('2-D DFT, direct separable (directDft2dBlock)', 5, 1, () => directDft2dBlock(block, P, UNITS), 'O(P³) per unit, no packing'),
    time(
      `dense projections on P² basis functions`,
      3,
      1,
      () => denseProjections(slice, DENSE_SLICE),
      `O(P⁴) per unit; ${DENSE_SLICE} units × ${UNITS / DENSE_SLICE}`,
      UNITS / DENSE_SLICE,
    ),
    time('FVE decomposition (fveOfActivations)', 7, 2, () => fveOfActivations(block, P, UNITS, engine), 'validate + centre + DFT + aggregate'),
    time('trig-identity fit, k = 1 (trigIdentityFit)', 5, 1, () => trigIdentityFit(block, P, UNITS, 1), 'covariance direction, cos + sin'),
  ];

  console.log(`Fourier analysis on a ${P}×${P}×${UNITS} block (float64), Node ${process.version}`);
  console.log(`max |dft2dBlock − directDft2dBlock| = ${worst.toExponential(2)}`);
  console.log('');
  const header = ['what', 'median ms', 'min ms', 'runs', 'note'];
  const table = rows.map((r) => [r.name, r.medianMs.toFixed(1), r.minMs.toFixed(1), String(r.runs), r.note]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((t) => t[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 1 || c === 2 || c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of table) console.log(line(t));
  const fft = rows[0].medianMs;
  console.log('');
  console.log(
    `speed-up of the fast path: ×${(rows[1].medianMs / fft).toFixed(1)} over the direct DFT, ×${(rows[2].medianMs / fft).toFixed(0)} over dense projections`,
  );
}

main();
