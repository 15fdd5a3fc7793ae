// Training-step and sampling throughput of grokdiff against PyTorch on the same machine (issue #8).
// For each configuration (cpu-n1, paper-n1) and each available backend: the same initial weights and the
// same full batch (step 1 of seed 1: all training pairs) go to grokdiff and to the PyTorch peer
// (bench/peer/dit_peer.py, float32, threads matched); both run warm-up steps then timed steps, alternating
// grokdiff, PyTorch, grokdiff, PyTorch so that machine drift hits both. Reports the median ms per step, the
// grokdiff/PyTorch ratio, GFLOP/s from bench/flops.ts and the fraction of one core's FP32 peak, the RSS peak,
// the first-step loss of both (they must agree to float32 tolerance: the peer computes the same function),
// and sampling of all P² pairs with K = 50 Euler steps. Usage: npm run bench -- train-step
// Backends: wasm (plain, with the matMul fast path), wasm-native (wasm with the optional native kernels of
// src/engine/wasm-native.ts, when `npm run build:native` built them; OpenBLAS gets the same thread count), cpu,
// node, node-gpu (when installed).
//   env BENCH_CONFIGS=cpu-n1,paper-n1  BENCH_BACKENDS=wasm,wasm-native,cpu  BENCH_REPEATS=5  BENCH_THREADS=1  BENCH_SLOW=1

import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableBackends, initBackend } from '../src/engine/backend.ts';
import { loadNativeAddon, wasmNativeInfo } from '../src/engine/wasm-native.ts';
import { rootRng } from '../src/engine/random.ts';
import { allPairs } from '../src/data/pairs.ts';
import { loadEmnistPool } from '../src/data/pool.ts';
import { generateForPairs } from '../src/eval/generation.ts';
import { createParams, disposeParams, initialValues, paramSpecs } from '../src/model/params.ts';
import { getPreset } from '../src/paper/presets.ts';
import { PAPER } from '../src/paper/registry.ts';
import { applyOverrides, runModelConfig, type RunConfig } from '../src/train/config.ts';
import { prepareRunData, stepBatch } from '../src/train/run-data.ts';
import { writeSafetensorsFile, type TensorMap } from '../src/train/safetensors.ts';
import { fullBatchStep, gatherRows } from '../src/train/step.ts';
import { makeOptimizer } from '../src/train/trainer.ts';
import { cpuPeak, forwardFlops, trainStepFlops } from './flops.ts';

const configs = (process.env.BENCH_CONFIGS ?? 'cpu-n1,paper-n1').split(',');
const wantedBackends = (process.env.BENCH_BACKENDS ?? 'wasm,wasm-native,cpu').split(',');
// Timed steps per configuration (split over two alternating rounds): more for the small model, whose steps are
// short enough for scheduling noise to matter.
const repeatsFor = (config: string): number => Number(process.env.BENCH_REPEATS ?? (config.startsWith('cpu') ? 20 : 6));
const threads = Number(process.env.BENCH_THREADS ?? 1);
/** Timed samplings of all P² pairs per round (after one untimed), on both sides. */
const SAMPLE_REPEATS = 3;
/** Untimed steps before the timed ones, on both sides (heap growth, JIT, operator caches settle in them). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PYTHON = '/usr/bin/python3';
const peerScript = new URL('./peer/dit_peer.py', import.meta.url).pathname;
const pool = loadEmnistPool();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Setup {
  config: RunConfig;
  weights: Map<string, Float32Array>;
  images: Float32Array;
  arrays: ReturnType<typeof stepBatch>;
  dir: string;
}

function setup(name: string): Setup {
  const config = applyOverrides(getPreset(name), [], { seed: 1 });
  const model = runModelConfig(config);
  const rng = rootRng(1);
  const data = prepareRunData(config, rng.fork('data'), pool);
  const arrays = stepBatch(data, rng.fork('train'), 1);
  const weights = initialValues(model, rng.fork('init'));
  const dir = mkdtempSync(join(tmpdir(), `grokdiff-bench-${name}-`));
  const px = data.pixels;
  const B = arrays.t.length;
  const gather = (rows: Int32Array) => gatherRows(data.symbols.images, px, rows);
  const tensors: TensorMap = {};
  for (const spec of paramSpecs(model)) tensors[spec.name] = { dtype: 'F32', shape: [...spec.shape], data: weights.get(spec.name)! };
  tensors['batch.xa'] = { dtype: 'F32', shape: [B, px], data: gather(arrays.aRows) };
  tensors['batch.xb'] = { dtype: 'F32', shape: [B, px], data: gather(arrays.bRows) };
  tensors['batch.x0'] = { dtype: 'F32', shape: [B, px], data: gather(arrays.cRows) };
  tensors['batch.eps'] = { dtype: 'F32', shape: [B, px], data: arrays.noise };
  tensors['batch.t'] = { dtype: 'F32', shape: [B], data: arrays.t };
  writeSafetensorsFile(join(dir, 'init.safetensors'), tensors);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      model: config.model,
      train: config.train,
      decayed: paramSpecs(model).filter((s) => s.decay).map((s) => s.name),
      threads,
      warmup: WARMUP,
      repeats: Math.ceil(repeatsFor(name) / 2), // per call: the peer is called once per round
      samplingSteps: PAPER.samplingSteps.value,
      samplePairs: config.data.P ** 2,
      sampleRepeats: SAMPLE_REPEATS,
    }),
  );
  return { config, weights, images: data.symbols.images, arrays, dir };
}

function grokdiffRun(s: Setup, stepRepeats: number): { firstLoss: number; stepMs: number[]; sampleMs: number[] } {
  const model = runModelConfig(s.config);
  const params = createParams(model, s.weights);
  const optimizer = makeOptimizer(s.config, model);
  const px = model.imageSide ** 2;
  const stepMs: number[] = [];
  let firstLoss = NaN;
  for (let i = 0; i < WARMUP + stepRepeats; i++) {
    const t0 = performance.now();
    const loss = fullBatchStep(model, params, optimizer, s.images, s.arrays, s.config.train.lr);
    if (i === 0) firstLoss = loss;
    if (i >= WARMUP) stepMs.push(performance.now() - t0);
  }
  const sampleMs: number[] = [];
  const data = prepareRunData(s.config, rootRng(1).fork('data'), pool);
  for (let r = 0; r < SAMPLE_REPEATS + 1; r++) {
    const t0 = performance.now();
    generateForPairs(model, params, data.symbols, allPairs(model.P), { draws: 1, steps: PAPER.samplingSteps.value, rng: rootRng(r) });
    if (r > 0) sampleMs.push(performance.now() - t0);
  }
  optimizer.dispose();
  disposeParams(params);
  return { firstLoss, stepMs, sampleMs };
}

function peerRun(s: Setup): { firstLoss: number; stepMs: number[]; sampleMs: number[]; torch: string; blas: string[] } | null {
  if (!existsSync(PYTHON)) return null;
  const r = spawnSync(PYTHON, [peerScript, join(s.dir, 'config.json'), join(s.dir, 'init.safetensors')], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
  if (r.status !== 0) {
    console.error(`PyTorch peer failed (run bench/setup-peer.sh): ${r.stderr.split('\n').slice(-3).join(' ')}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const peak = cpuPeak();
console.log(`CPU: ${peak.model}, ${peak.ghz.toFixed(2)} GHz, ${peak.simd}: peak ${peak.perCoreGflops.toFixed(0)} GFLOP/s per core (= GHz × ${peak.flopsPerCycle} FLOP/cycle); threads ${threads}`);
const rows: string[] = ['| config | backend | step ms (median) | PyTorch step ms | ratio | GFLOP/s | % of 1-core peak | sample P² × K=50 ms | images/s | PyTorch sample ms | first loss (grokdiff / PyTorch) | RSS peak MB |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
const available = new Set<string>(availableBackends().filter((b) => b.available).map((b) => b.backend));
const nativeLoad = loadNativeAddon();
if (available.has('wasm') && nativeLoad.ok) available.add('wasm-native');
else if (wantedBackends.includes('wasm-native')) console.log(`wasm-native: skipped (${nativeLoad.ok ? 'wasm is not available' : nativeLoad.reason})`);
process.env.GROKDIFF_NATIVE_THREADS = String(threads);
for (const name of configs) {
  const s = setup(name);
  const model = runModelConfig(s.config);
  const B = s.arrays.t.length;
  for (const backend of wantedBackends) {
    if (!available.has(backend as never)) continue;
    if (backend === 'cpu' && name.startsWith('paper') && process.env.BENCH_SLOW !== '1') {
      console.log(`${name} cpu: skipped (the pure-JS backend takes minutes per step at paper width; BENCH_SLOW=1 runs it)`);
      continue;
    }
    if (backend === 'wasm-native') await initBackend('wasm', { log: () => {}, native: true });
    else await initBackend(backend as never, { log: () => {}, native: false });
    const label = backend === 'wasm-native' ? `wasm + native (${(wasmNativeInfo()?.matmul ?? '').split(' ').slice(0, 2).join(' ')})` : backend;
    const reps = backend === 'cpu' ? 2 : repeatsFor(name);
    const ours: number[] = [];
    const oursSample: number[] = [];
    const peer: number[] = [];
    const peerSample: number[] = [];
    let losses = ['', ''];
    let peerInfo = '';
    for (let round = 0; round < 2; round++) {
      const g = grokdiffRun(s, Math.ceil(reps / 2));
      ours.push(...g.stepMs);
      oursSample.push(...g.sampleMs);
      losses[0] = g.firstLoss.toPrecision(7);
      const p = round === 0 || backend === wantedBackends[0] ? peerRun(s) : null;
      if (p) {
        peer.push(...p.stepMs);
        peerSample.push(...p.sampleMs);
        losses[1] = p.firstLoss.toPrecision(7);
        peerInfo = `torch ${p.torch}`;
      }
    }
    const ms = median(ours);
    const pms = median(peer);
    const gflops = trainStepFlops(model, B) / (ms / 1000) / 1e9;
    const sms = median(oursSample);
    const rss = process.resourceUsage().maxRSS / 1024;
    rows.push(
      `| ${name} | ${label} | ${ms.toFixed(1)} | ${Number.isFinite(pms) ? pms.toFixed(1) : '—'} | ${Number.isFinite(pms) ? (ms / pms).toFixed(2) : '—'} | ${gflops.toFixed(1)} | ${((100 * gflops) / peak.perCoreGflops).toFixed(1)} % | ${sms.toFixed(0)} | ${((model.P ** 2) / (sms / 1000)).toFixed(0)} | ${Number.isFinite(median(peerSample)) ? median(peerSample).toFixed(0) : '—'} | ${losses[0]} / ${losses[1] || '—'} | ${rss.toFixed(0)} |`,
    );
    console.log(`${name} ${backend}: ${ms.toFixed(1)} ms/step (PyTorch ${Number.isFinite(pms) ? pms.toFixed(1) : 'n/a'} ms, ${peerInfo}); batch ${B}, ${(trainStepFlops(model, B) / 1e9).toFixed(2)} GFLOP/step, forward ${(forwardFlops(model, B) / 1e9).toFixed(2)} GFLOP`);
  }
}
console.log(`\n${rows.join('\n')}`);
