// The native packed GEMM (native/gemm.c, issue 16), called directly through the addon on a heap of our own:
// every transpose combination, odd shapes, shapes across every blocking edge (MR, NR, KC = 384, NC = 384),
// large shapes, batches with one operand broadcast, the bias, NaN and ∞ — each against a float64 reference, on
// every micro-kernel this CPU runs (AVX-512, AVX2, plain C; forced with `configure({ isa })`, the test hook
// for GROKDIFF_NATIVE_ISA) and with 1 and 2 threads (each split mode: by rows, by columns, by batch items).
// Also OpenBLAS's path when libopenblas loads. Skipped, saying why, when the addon is not built.
import { afterAll, describe, expect, it } from 'vitest';
import { configureFromEnv, loadNativeAddon, type Addon, type NativeIsa } from './wasm-native.ts';

const load = loadNativeAddon();
const ISA_RANK: Record<NativeIsa, number> = { scalar: 0, avx2: 1, avx512: 2 };
const best: NativeIsa = load.ok ? load.addon.info().bestIsa : 'scalar';
const ISAS = (['avx512', 'avx2', 'scalar'] as const).filter((isa) => ISA_RANK[isa] <= ISA_RANK[best]);
/** |c − ref| / Σ_p |a·b| (plus |bias|): float32 accumulation over k terms stays well below this. */
const TOL = 4e-6;

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32 - 0.5;
}

interface Case {
  batch: number;
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  /** 'a' or 'b': that operand has one item, broadcast over the batch. */
  broadcast?: 'a' | 'b';
  bias?: boolean;
}

interface Prepared {
  c: Case;
  heap: Float32Array;
  aOff: number;
  bOff: number;
  cOff: number;
  biasOff: number;
  ref: Float64Array;
  mag: Float64Array;
}

/** Random operands on one heap and the float64 product (and Σ|a·b| per output, for the error scale). */
function prepare(c: Case, fill?: (heap: Float32Array, aOff: number, bOff: number) => void): Prepared {
  const aItems = c.broadcast === 'a' ? 1 : c.batch;
  const bItems = c.broadcast === 'b' ? 1 : c.batch;
  const aLen = aItems * c.m * c.k;
  const bLen = bItems * c.k * c.n;
  const aOff = 5; // not aligned on purpose
  const bOff = aOff + aLen + 3;
  const biasOff = bOff + bLen + 1;
  const cOff = biasOff + c.n + 7;
  const heap = new Float32Array(cOff + c.batch * c.m * c.n + 11);
  for (let i = 0; i < cOff; i++) heap[i] = rand();
  fill?.(heap, aOff, bOff);
  heap.fill(NaN, cOff, cOff + c.batch * c.m * c.n); // every output must be written
  const ref = new Float64Array(c.batch * c.m * c.n);
  const mag = new Float64Array(c.batch * c.m * c.n);
  for (let b = 0; b < c.batch; b++) {
    const a0 = aOff + (c.broadcast === 'a' ? 0 : b * c.m * c.k);
    const b0 = bOff + (c.broadcast === 'b' ? 0 : b * c.k * c.n);
    for (let i = 0; i < c.m; i++) {
      for (let j = 0; j < c.n; j++) {
        let s = c.bias ? heap[biasOff + j] : 0;
        let g = Math.abs(s);
        for (let p = 0; p < c.k; p++) {
          const x = heap[c.ta ? a0 + p * c.m + i : a0 + i * c.k + p];
          const y = heap[c.tb ? b0 + j * c.k + p : b0 + p * c.n + j];
          s += x * y;
          g += Math.abs(x * y);
        }
        ref[(b * c.m + i) * c.n + j] = s;
        mag[(b * c.m + i) * c.n + j] = g;
      }
    }
  }
  return { c, heap, aOff, bOff, cOff, biasOff, ref, mag };
}

function run(addon: Addon, p: Prepared): Float32Array {
  const { c } = p;
  const out = p.heap.slice();
  addon.gemm(
    out.buffer,
    c.batch,
    c.m,
    c.n,
    c.k,
    c.ta ? 1 : 0,
    c.tb ? 1 : 0,
    p.aOff,
    c.broadcast === 'a' ? 0 : c.m * c.k,
    p.bOff,
    c.broadcast === 'b' ? 0 : c.k * c.n,
    p.cOff,
    c.bias ? p.biasOff : -1,
  );
  return out.subarray(p.cOff, p.cOff + c.batch * c.m * c.n);
}

/** Largest scaled error, or Infinity when a NaN / ∞ appears where the reference has none (or the reverse). */
function worstError(got: Float32Array, p: Prepared): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const r = p.ref[i];
    if (!Number.isFinite(r) || !Number.isFinite(got[i])) {
      if (!Object.is(got[i], r) && !(Number.isNaN(got[i]) && Number.isNaN(r))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(got[i] - r) / (p.mag[i] + 1e-30));
  }
  return worst;
}

const COMBOS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;
// [m, n, k]: single elements, vectors, odd sizes, exact micro-tiles, across MR/NR/KC/NC edges, large ones,
// few rows and many columns (split by columns), many rows and few columns (split by rows).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [3, 3, 64],
  [13, 33, 17],
  [12, 32, 16],
  [6, 16, 5],
  [37, 29, 41],
  [64, 70, 3],
  [100, 1, 100],
  [1, 100, 100],
  [24, 64, 385],
  [25, 385, 97],
  [97, 389, 401],
  [255, 129, 770],
  [13, 1000, 64],
  [1428, 96, 40],
  [300, 520, 400],
];
const BATCHES: Omit<Case, 'ta' | 'tb'>[] = [
  { batch: 3, m: 40, n: 50, k: 60 },
  { batch: 3, m: 40, n: 50, k: 60, broadcast: 'a', bias: true },
  { batch: 3, m: 40, n: 50, k: 60, broadcast: 'b' },
  { batch: 2, m: 300, n: 200, k: 100, broadcast: 'b' },
  { batch: 5, m: 100, n: 100, k: 100 },
  { batch: 9, m: 37, n: 3, k: 64, broadcast: 'a' },
  { batch: 64, m: 3, n: 3, k: 64 },
  { batch: 600, m: 3, n: 64, k: 3, bias: true },
];

// References are computed once and reused for every code path.
const cache = new Map<string, Prepared>();
function prepared(c: Case): Prepared {
  const key = JSON.stringify(c);
  let p = cache.get(key);
  if (p == null) {
    p = prepare(c);
    cache.set(key, p);
  }
  return p;
}

describe.skipIf(!load.ok)(`native packed GEMM${load.ok ? '' : ` (skipped: ${load.reason})`}`, () => {
  const addon = load.ok ? load.addon : (null as unknown as Addon);
  afterAll(() => {
    if (load.ok) configureFromEnv(addon);
  });

  it('reports its settings; configure clamps an ISA this CPU lacks and rejects unknown values', () => {
    const info = addon.configure({ blas: 'builtin', threads: 2, isa: best });
    expect(info).toMatchObject({ blas: 'built-in', isa: best, bestIsa: best, threads: 2 });
    expect(info.matmul).toMatch(new RegExp(`^built-in ${best} \\d+x\\d+, 2 threads$`));
    expect(info.cores).toBeGreaterThanOrEqual(1);
    expect(addon.configure({ isa: 'avx512' }).isa).toBe(best === 'avx512' ? 'avx512' : best);
    expect(() => addon.configure({ isa: 'sse' as NativeIsa })).toThrow(/isa is "avx512", "avx2" or "scalar"/);
    expect(() => addon.configure({ blas: 'mkl' as 'builtin' })).toThrow(/blas is "builtin" or "openblas"/);
    expect(() => addon.configure({ threads: 0 })).toThrow(/threads must be a positive integer/);
    expect(() => addon.gemm(new ArrayBuffer(64), 2, 2, 2, 2, 0, 0, 0, -4, 8, 0, 0, -1)).toThrow(/strides: not negative/);
  });

  for (const isa of ISAS) {
    for (const threads of [1, 2]) {
      describe(`${isa}, ${threads} thread${threads > 1 ? 's' : ''}`, () => {
        it('every transpose combination, odd, edge-crossing and large shapes equal the float64 product', () => {
          expect(addon.configure({ blas: 'builtin', isa, threads })).toMatchObject({ isa, threads, blas: 'built-in' });
          for (const [m, n, k] of SHAPES) {
            for (const [ta, tb] of COMBOS) {
              const c: Case = { batch: 1, m, n, k, ta, tb, bias: (m + n) % 2 === 1 };
              const p = prepared(c);
              expect(worstError(run(addon, p), p), JSON.stringify(c)).toBeLessThan(TOL);
            }
          }
        });

        it('batched products, with either operand broadcast over the batch and with a bias', () => {
          addon.configure({ blas: 'builtin', isa, threads });
          for (const b of BATCHES) {
            for (const [ta, tb] of COMBOS) {
              const c: Case = { ...b, ta, tb };
              const p = prepared(c);
              expect(worstError(run(addon, p), p), JSON.stringify(c)).toBeLessThan(TOL);
            }
          }
        });

        it('NaN and ±∞ propagate as in IEEE arithmetic (0·∞ = NaN, 0·NaN = NaN, nothing skipped)', () => {
          addon.configure({ blas: 'builtin', isa, threads });
          for (const [ta, tb] of COMBOS) {
            for (const [m, n, k] of [
              [50, 70, 90],
              [400, 64, 64],
            ] as const) {
              const c: Case = { batch: 1, m, n, k, ta, tb };
              const p = prepare(c, (heap, aOff, bOff) => {
                const at = (i: number, q: number) => aOff + (ta ? q * m + i : i * k + q);
                const bt = (q: number, j: number) => bOff + (tb ? j * k + q : q * n + j);
                for (let q = 0; q < k; q++) heap[at(7, q)] = 0; // a zero row: meets NaN and ∞ below
                heap[at(3, 11)] = NaN;
                heap[at(9, 2)] = Infinity;
                heap[at(10, 2)] = -Infinity;
                heap[at(10, 5)] = Infinity; // +∞ and −∞ in one sum: NaN
                heap[bt(4, 33)] = Infinity;
                heap[bt(6, 40)] = NaN;
              });
              const got = run(addon, p);
              expect(worstError(got, p), `${JSON.stringify(c)}`).toBeLessThan(TOL);
              expect(Number.isNaN(got[7 * n + 33]) && Number.isNaN(got[7 * n + 40]), '0·∞ and 0·NaN').toBe(true);
              expect(got.some((x) => x === Infinity) && got.some((x) => x === -Infinity)).toBe(true);
            }
          }
        });
      });
    }
  }

  it('the OpenBLAS option (GROKDIFF_NATIVE_BLAS=openblas) computes the same products, or falls back to built-in', () => {
    const info = addon.configure({ blas: 'openblas', threads: 2 });
    expect(['OpenBLAS', 'built-in']).toContain(info.blas);
    if (info.blas === 'OpenBLAS') expect(info.openblas).toMatch(/OpenBLAS/);
    for (const [m, n, k] of [
      [37, 29, 41],
      [97, 389, 401],
    ] as const) {
      for (const [ta, tb] of COMBOS) {
        const p = prepared({ batch: 1, m, n, k, ta, tb, bias: true });
        expect(worstError(run(addon, p), p)).toBeLessThan(TOL);
      }
    }
    const p = prepared({ ...BATCHES[1], ta: false, tb: false });
    expect(worstError(run(addon, p), p)).toBeLessThan(TOL);
    addon.configure({ blas: 'builtin' });
  });
});
