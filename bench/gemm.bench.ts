// GFLOP/s of the native matrix product on the products of a paper-n1 training step (issue 16), through the
// addon itself (no tfjs): each of grokdiff's micro-kernels this CPU runs (AVX-512, AVX2) and OpenBLAS's
// cblas_sgemm when libopenblas.so.0 loads, at 1 and 2 threads, interleaved, best and median of several runs,
// against one core's peak (measured with register FMAs; also the nominal clock × FLOP/cycle).
// Usage: npm run bench -- gemm    (env BENCH_ROWS=1428 (batch 476 × 3 tokens), BENCH_GEMM_RUNS=15)
// The shapes (d = 512, px = 1024 pixels per patch in paper-n1): forward products X·W (patch embedding
// [rows, px]·[px, d], q/k/v/o and FFN [rows, d]·[d, d], read-out [rows/3, d]·[d, px]); their input gradients
// dY·Wᵀ and weight gradients Xᵀ·dY.

import { environment } from '../src/config/environment.ts';
import { loadNativeAddon, type Addon, type NativeIsa } from '../src/engine/wasm-native.ts';
import { cpuPeak } from './flops.ts';
import { modelShapes } from '../src/model/config.ts';
import { getPreset } from '../src/train/presets.ts';
import { applyOverrides, runModelConfig } from '../src/train/config.ts';

const load = loadNativeAddon();
if (!load.ok) {
  console.log(`gemm: skipped (${load.reason})`);
  process.exit(0);
}
const addon: Addon = load.addon;
const rows = environment().benchRows;
const RUNS = environment().benchGemmRuns;
// Widths from the paper-n1 preset (d_model, pixels per patch; one patch per image at N = 1).
const paper = runModelConfig(applyOverrides(getPreset('paper-n1'), [], { seed: 1 }));
const d = paper.dModel;
const px = modelShapes(paper).patchPixels;
// [label, m, n, k, transA, transB]
const SHAPES: [string, number, number, number, 0 | 1, 0 | 1][] = [
  ['X·W (q, k, v, o, FFN)', rows, d, d, 0, 0],
  ['dY·Wᵀ', rows, d, d, 0, 1],
  ['Xᵀ·dY (weight gradient)', d, d, rows, 1, 0],
  ['patch embedding X·W', rows, d, px, 0, 0],
  ['read-out X·W', rows / 3, px, d, 0, 0],
  ['read-out dY·Wᵀ', rows / 3, d, px, 0, 1],
];

const peak = cpuPeak();
const best = addon.info().bestIsa;
const measured = addon.fmaPeak(best === 'scalar' ? 'avx2' : best, 400);
const corePeak = measured > 0 ? measured : peak.perCoreGflops;
console.log(
  `CPU: ${peak.model}, ${peak.simd}; one core's peak: measured ${measured.toFixed(0)} GFLOP/s (register FMAs, ≈ ${(measured / peak.flopsPerCycle).toFixed(2)} GHz), nominal ${peak.perCoreGflops.toFixed(0)} GFLOP/s (${peak.ghz.toFixed(2)} GHz × ${peak.flopsPerCycle})`,
);

type Engine = { label: string; blas: 'builtin' | 'openblas'; isa: NativeIsa };
const engines: Engine[] = [];
for (const isa of ['avx512', 'avx2'] as const) if (addon.configure({ isa }).isa === isa) engines.push({ label: `built-in ${isa}`, blas: 'builtin', isa });
const withBlas = addon.configure({ blas: 'openblas' });
if (withBlas.blas === 'OpenBLAS')
  engines.push({
    label: `${withBlas.openblas!.split(' ').slice(0, 2).join(' ')} (${withBlas.openblas!.match(/Haswell|SkylakeX|Zen|Cooperlake|Sapphire\w*/)?.[0] ?? 'kernels per OPENBLAS_CORETYPE'})`,
    blas: 'openblas',
    isa: best,
  });
addon.configure({ blas: 'builtin', isa: best });

const out: string[] = ['| product | m×n×k | engine | threads | GFLOP/s (median) | best | % of peak (median, × threads) |', '|---|---|---|---|---|---|---|'];
for (const [label, m, n, k, ta, tb] of SHAPES) {
  const heap = new Float32Array(m * k + k * n + m * n);
  for (let i = 0; i < m * k + k * n; i++) heap[i] = Math.sin(i) * 0.5;
  const flop = 2 * m * n * k;
  const times = new Map<string, number[]>();
  for (let r = 0; r < RUNS + 2; r++) {
    for (const e of engines) {
      for (const threads of [1, 2]) {
        addon.configure({ blas: e.blas, isa: e.isa, threads });
        const t0 = performance.now();
        addon.gemm(heap.buffer, 1, m, n, k, ta, tb, 0, 0, m * k, 0, m * k + k * n, -1);
        const ms = performance.now() - t0;
        const key = `${e.label}|${threads}`;
        if (r >= 2) times.set(key, [...(times.get(key) ?? []), ms]);
      }
    }
  }
  for (const [key, ms] of times) {
    const [engine, threads] = key.split('|');
    const sorted = [...ms].sort((a, b) => a - b);
    const med = sorted[sorted.length >> 1];
    const gf = (x: number) => flop / (x / 1000) / 1e9;
    out.push(
      `| ${label} | ${m}×${n}×${k} | ${engine} | ${threads} | ${gf(med).toFixed(1)} | ${gf(sorted[0]).toFixed(1)} | ${((100 * gf(med)) / (corePeak * Number(threads))).toFixed(1)} % |`,
    );
  }
}
addon.configure({ blas: 'builtin', isa: best, threads: addon.info().cores });
console.log(`\n${out.join('\n')}`);
