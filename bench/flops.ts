// FLOP count of the DiT (for achieved GFLOP/s in the benchmark) and this CPU's peak FP32 rate.
//
// Forward multiply-adds count 2 FLOPs each, matrix products only (elementwise work is < 2 % here):
//   embed 2·B·T·pp·d + time MLP 2·B·(tf·d + d·d)
//   per block: [sandwich 4·B·T·d·f] + q,k,v,o 8·B·T·d² + scores and z 4·B·H·T²·dh + FFN 4·B·T·d·f
//   read-out 2·B·n·d·pp          (B batch, T tokens, n patches per image, pp pixels per patch, f FFN width)
// A training step is counted as 3× the forward (backward ≈ 2× forward), the usual convention.
// Peak FP32 per core = clock (GHz) × FLOP/cycle, with FLOP/cycle = 2 FMA units × SIMD lanes × 2
// (AVX-512: 16 lanes → 64; AVX2+FMA: 8 lanes → 32; SSE only: 4 lanes, no FMA → 8). The wasm backend is
// single-threaded and limited to 128-bit SIMD (4 lanes), so its own ceiling is 16 FLOP/cycle at best.

import { readFileSync } from 'node:fs';
import { modelShapes, type ModelConfig } from '../src/model/config.ts';

export function forwardFlops(model: ModelConfig, batch: number): number {
  const { tokens: T, patchesPerImage: n, patchPixels: pp, headDim: dh } = modelShapes(model);
  const d = model.dModel;
  const f = model.ffnWidth;
  const H = model.heads;
  const B = batch;
  let flops = 2 * B * T * pp * d + 2 * B * (model.timeFeatures * d + d * d) + 2 * B * n * d * pp;
  for (let l = 0; l < model.depth; l++) {
    if (model.preAttentionFfn) flops += 4 * B * T * d * f;
    flops += 8 * B * T * d * d + 4 * B * H * T * T * dh + 4 * B * T * d * f;
  }
  return flops;
}

export function trainStepFlops(model: ModelConfig, batch: number): number {
  return 3 * forwardFlops(model, batch);
}

export interface CpuPeak {
  readonly model: string;
  readonly ghz: number;
  readonly flopsPerCycle: number;
  readonly simd: string;
  /** GFLOP/s of one core. */
  readonly perCoreGflops: number;
}

export function cpuPeak(): CpuPeak {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    /* not Linux */
  }
  const model = /model name\s*:\s*(.+)/.exec(text)?.[1]?.trim() ?? 'unknown';
  const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(text)?.[1] ?? NaN);
  const flags = new Set((/flags\s*:\s*(.+)/.exec(text)?.[1] ?? '').split(/\s+/));
  const [simd, flopsPerCycle] = flags.has('avx512f') ? ['AVX-512', 64] : flags.has('avx2') && flags.has('fma') ? ['AVX2+FMA', 32] : ['SSE', 8];
  const ghz = Number.isFinite(mhz) ? mhz / 1000 : NaN;
  return { model, ghz, flopsPerCycle, simd, perCoreGflops: ghz * flopsPerCycle };
}
