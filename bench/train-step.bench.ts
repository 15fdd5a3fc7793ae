// Training-step and sampling throughput of grokdiff against PyTorch on the same machine (issues #8, #16).
// For each configuration (cpu-n1, paper-n1), each thread count (1 and 2) and each engine: the same initial
// weights and the same full batch (step 1 of seed 1: all training pairs) go to grokdiff and to the PyTorch peer
// (bench/peer/dit_peer.py, float32, OpenBLAS, threads matched); both run warm-up steps then timed steps, in two
// alternating rounds (every grokdiff engine, then PyTorch, twice) so that machine drift hits all. Reports the
// median ms per step, the grokdiff/PyTorch ratio, GFLOP/s from bench/flops.ts and the fraction of the peak of
// the cores used (one core's peak measured with register FMAs, beside the nominal clock × FLOP/cycle), the RSS
// peak, the first-step loss of both (they must agree to float32 tolerance: the peer computes the same
// function), and sampling of all P² pairs with K = 50 Euler steps. Usage: npm run bench -- train-step
// Engines (grokdiff's wasm backend unless said otherwise):
//   native           wasm + the native kernels with grokdiff's own product: what a fresh install gets (no system BLAS)
//   native-openblas  wasm + the native kernels with the system's OpenBLAS products (GROKDIFF_NATIVE_BLAS=openblas),
//                    when libopenblas.so.0 loads
//   wasm             plain tfjs-backend-wasm (single-threaded: run at 1 thread only)
//   cpu              tfjs's pure-JS backend (not in the default list; paper width needs BENCH_SLOW=1)
//   webgpu           tfjs-backend-webgpu on Dawn (in the default list when Dawn finds an adapter; at the first thread
//                    count only). On a CPU adapter (lavapipe, .ci/webgpu-setup.sh) it is a correctness path, not a
//                    speed path: tens of times slower than wasm
//   env BENCH_CONFIGS=cpu-n1,paper-n1  BENCH_BACKENDS=native,native-openblas,wasm  BENCH_THREADS=1,2
//       BENCH_REPEATS=<timed steps>  BENCH_WARMUP=5  BENCH_SLOW=1
//       BENCH_PEER_OPENBLAS=pinned|own|both (issue 28): the peer's OpenBLAS kernels as OPENBLAS_CORETYPE pins them
//       on these machines (pinned, the default), OpenBLAS's own choice (own: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
//       removed from the peer's environment alone, never from grokdiff's, the tests' or CI's), or both: each peer
//       in each round, and the table keeps the faster one whose first loss matches grokdiff's, naming its kernels.
// The table it prints last is the one in README.md (Performance).

import { childEnvironment, environment } from '../src/config/environment.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableBackends, initBackend } from '../src/engine/backend.ts';
import { installedNativeAddon, loadNativeAddon } from '../src/engine/wasm-native.ts';
import { describeWebGpuAdapter, probeWebGpuSync, webgpuAdapterInfo } from '../src/engine/webgpu.ts';
import { rootRng } from '../src/engine/random.ts';
import { allPairs } from '../src/data/pairs.ts';
import { loadEmnistPool } from '../src/data/pool.ts';
import { generateForPairs } from '../src/eval/generation.ts';
import { createParams, disposeParams, initialValues, paramSpecs } from '../src/model/params.ts';
import { getPreset } from '../src/train/presets.ts';
import { PAPER } from '../src/paper/registry.ts';
import { applyOverrides, runModelConfig, type RunConfig } from '../src/train/config.ts';
import { prepareRunData, stepBatch } from '../src/train/run-data.ts';
import { writeSafetensorsFile, type TensorMap } from '../src/io/safetensors.ts';
import { fullBatchStep, gatherRows } from '../src/train/step.ts';
import { makeOptimizer } from '../src/train/trainer.ts';
import { cpuPeak, forwardFlops, trainStepFlops } from './flops.ts';

const settings = environment();
const configs = settings.benchConfigs;
const wantedBackends = (settings.benchBackends ?? ['native', 'native-openblas', 'wasm', ...(probeWebGpuSync().adapter ? ['webgpu'] : [])]).map((b) =>
  b === 'wasm-native' ? 'native' : b,
);
// Timed steps per configuration (split over two alternating rounds): more for the small model, whose steps are
// short enough for scheduling noise to matter.
const repeatsFor = (config: string): number => settings.benchRepeats ?? (config.startsWith('cpu') ? 20 : 6);
const threadCounts = settings.benchThreads;
/** Timed samplings of all P² pairs per round (after one untimed), on both sides. */
const SAMPLE_REPEATS = 3;
/** Untimed steps before the timed ones, on both sides (heap growth, JIT, operator caches settle in them). */
const WARMUP = settings.benchWarmup;
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
  for (const threads of threadCounts) {
    writeFileSync(
      join(dir, `config-${threads}.json`),
      JSON.stringify({
        model: config.model,
        train: config.train,
        decayed: paramSpecs(model)
          .filter((s) => s.decay)
          .map((s) => s.name),
        threads,
        warmup: WARMUP,
        repeats: Math.ceil(repeatsFor(name) / 2), // per call: the peer is called once per round
        samplingSteps: PAPER.samplingSteps.value,
        samplePairs: config.data.P ** 2,
        sampleRepeats: SAMPLE_REPEATS,
      }),
    );
  }
  return { config, weights, images: data.symbols.images, arrays, dir };
}

function grokdiffRun(s: Setup, stepRepeats: number): { firstLoss: number; stepMs: number[]; sampleMs: number[] } {
  const model = runModelConfig(s.config);
  const params = createParams(model, s.weights);
  const optimizer = makeOptimizer(s.config, model);
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

interface PeerResult {
  firstLoss: number;
  stepMs: number[];
  sampleMs: number[];
  torch: string;
  blas: string[];
  /** The OpenBLAS core the peer ran (e.g. Haswell, Cooperlake) and its config; null when it is not OpenBLAS. */
  openblas: { core: string; config: string } | null;
}

/** The peers to run: OpenBLAS pinned by OPENBLAS_CORETYPE as this machine sets it, its own kernel choice, or both. */
const peerKinds: readonly PeerKind[] = settings.benchPeerOpenblas === 'both' ? ['pinned', 'own'] : [settings.benchPeerOpenblas];
type PeerKind = 'pinned' | 'own';

function peerRun(s: Setup, threads: number, kind: PeerKind): PeerResult | null {
  if (!existsSync(PYTHON)) return null;
  // 'own': OpenBLAS chooses its kernels; the two variables are removed for this one child process only.
  const own = kind === 'own' ? { OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined } : {};
  const r = spawnSync(PYTHON, [peerScript, join(s.dir, `config-${threads}.json`), join(s.dir, 'init.safetensors')], {
    encoding: 'utf8',
    env: childEnvironment({ OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), ...own }),
  });
  if (r.status !== 0) {
    console.error(`PyTorch peer failed (run bench/setup-peer.sh): ${r.stderr.split('\n').slice(-3).join(' ')}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const peak = cpuPeak();
/** The BLAS the peer's PyTorch loads (Debian's python3-torch links libblas.so.3, an alternative: OpenBLAS after setup-peer.sh). */
const peerBlas = (() => {
  try {
    return `libblas.so.3 → ${realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3')}`;
  } catch {
    return 'libblas.so.3 not found';
  }
})();
const available = new Set<string>(
  availableBackends()
    .filter((b) => b.available)
    .map((b) => b.backend),
);
const nativeLoad = loadNativeAddon();
const measuredPeak = nativeLoad.ok ? nativeLoad.addon.fmaPeak(peak.simd === 'AVX-512' ? 'avx512' : 'avx2', 400) : NaN;
/** One core's peak for "% of peak": the measured register-FMA rate when the addon is built, else nominal. */
const corePeak = Number.isFinite(measuredPeak) && measuredPeak > 0 ? measuredPeak : peak.perCoreGflops;
console.log(
  `CPU: ${peak.model}, ${peak.simd} (${peak.flopsPerCycle} FLOP/cycle/core): nominal ${peak.ghz.toFixed(2)} GHz → ${peak.perCoreGflops.toFixed(0)} GFLOP/s per core; measured register-FMA peak ${Number.isFinite(measuredPeak) ? `${measuredPeak.toFixed(0)} GFLOP/s per core (≈ ${(measuredPeak / peak.flopsPerCycle).toFixed(2)} GHz)` : 'n/a (native kernels not built)'}; "% of peak" below uses ${corePeak.toFixed(0)} GFLOP/s × threads`,
);
if (!nativeLoad.ok && wantedBackends.some((b) => b.startsWith('native'))) console.log(`native: skipped (${nativeLoad.reason})`);
if (!available.has('wasm')) console.log('wasm: not available');

/** Engines to run at `threads`, with how to set each up; null when it cannot run here. */
async function prepareEngine(engine: string, threads: number): Promise<string | null> {
  if (engine === 'native' || engine === 'native-openblas') {
    if (!nativeLoad.ok || !available.has('wasm')) return null;
    await initBackend('wasm', { log: () => {}, native: true });
    const info = installedNativeAddon()!.configure({ blas: engine === 'native' ? 'builtin' : 'openblas', threads });
    if (engine === 'native-openblas' && info.blas !== 'OpenBLAS') return null;
    return engine === 'native' ? `wasm + native, built-in ${info.isa} (fresh install)` : `wasm + native, ${info.openblas?.split(' ').slice(0, 2).join(' ')}`;
  }
  if (engine === 'webgpu') {
    if (threads !== threadCounts[0]) return null; // the GPU does not use the CPU thread count: once is enough
    const ok = await initBackend('webgpu', { log: () => {} }).then(
      () => true,
      () => false,
    );
    const a = webgpuAdapterInfo();
    return ok && a ? `webgpu on ${describeWebGpuAdapter(a)}${a.fallback ? ' (CPU driver: a correctness path, not a speed path)' : ''}` : null;
  }
  if (!available.has(engine as never)) return null;
  if (engine === 'wasm' && threads !== threadCounts[0]) return null; // single-threaded: once is enough
  await initBackend(engine as never, { log: () => {}, native: false });
  return engine === 'wasm' ? 'wasm (plain, 1 thread)' : engine;
}

const header =
  '| config | threads | engine | step ms (median) | PyTorch step ms | ratio | GFLOP/s | % of peak | sample P² × K=50 ms | images/s | PyTorch sample ms | first loss (grokdiff / PyTorch) | RSS peak MB |';
const rows: string[] = [header, '|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
for (const name of configs) {
  const s = setup(name);
  const model = runModelConfig(s.config);
  const B = s.arrays.t.length;
  for (const threads of threadCounts) {
    const engines = wantedBackends.filter((e) => !(e === 'cpu' && name.startsWith('paper') && !settings.benchSlow));
    if (engines.length < wantedBackends.length)
      console.log(`${name} cpu: skipped (the pure-JS backend takes minutes per step at paper width; BENCH_SLOW=1 runs it)`);
    const results = new Map<string, { label: string; ms: number[]; sample: number[]; loss: string }>();
    const peers = new Map(peerKinds.map((kind) => [kind, { ms: [] as number[], sample: [] as number[], loss: NaN, info: '', core: '' }]));
    for (let round = 0; round < 2; round++) {
      for (const engine of engines) {
        const label = await prepareEngine(engine, threads);
        if (label === null) {
          if (round === 0)
            console.log(
              `${name} ${engine} at ${threads} thread(s): skipped (${engine === 'native-openblas' ? 'OpenBLAS is not installed or the addon is not built' : engine === 'wasm' ? 'single-threaded, measured at the first thread count' : 'not available'})`,
            );
          continue;
        }
        const reps = engine === 'cpu' ? 2 : repeatsFor(name);
        const g = grokdiffRun(s, Math.ceil(reps / 2));
        const r = results.get(engine) ?? { label, ms: [], sample: [], loss: '' };
        r.ms.push(...g.stepMs);
        r.sample.push(...g.sampleMs);
        r.loss = g.firstLoss.toPrecision(7);
        results.set(engine, r);
      }
      for (const kind of peerKinds) {
        const p = peerRun(s, threads, kind);
        const peer = peers.get(kind)!;
        if (p) {
          peer.ms.push(...p.stepMs);
          peer.sample.push(...p.sampleMs);
          peer.loss = p.firstLoss;
          peer.core = p.openblas?.core ?? '';
          peer.info = `torch ${p.torch}, ${p.blas.join(' ').match(/BLAS_INFO=[^,]*/)?.[0] ?? 'BLAS ?'} (${peerBlas})${p.openblas ? `, OpenBLAS core ${p.openblas.core} (${kind === 'own' ? "OpenBLAS's own choice" : 'OPENBLAS_CORETYPE as set'})` : ''}`;
        }
      }
    }
    // The peer of the table: the faster one whose first loss matches grokdiff's (a peer with other kernels
    // that computed another loss is no peer); each one's time is printed either way.
    const ourLoss = Number([...results.values()][0]?.loss);
    const matches = (loss: number): boolean => Number.isFinite(loss) && Math.abs(loss - ourLoss) <= 1e-4 * Math.abs(ourLoss);
    for (const [kind, p] of peers)
      if (p.ms.length > 0)
        console.log(
          `${name} ${threads} thread(s) PyTorch peer (${kind}): ${median(p.ms).toFixed(1)} ms/step, first loss ${p.loss.toPrecision(7)}${matches(p.loss) ? '' : ` — does not match grokdiff's ${ourLoss.toPrecision(7)}: not used`}; ${p.info}`,
        );
    const usable = [...peers.values()].filter((p) => p.ms.length > 0 && (peers.size === 1 || matches(p.loss)));
    const peer = usable.sort((x, y) => median(x.ms) - median(y.ms))[0] ?? { ms: [], sample: [], loss: NaN, info: '', core: '' };
    const peerLoss = Number.isFinite(peer.loss) ? peer.loss.toPrecision(7) : '';
    const pms = median(peer.ms);
    for (const [engine, r] of results) {
      const ms = median(r.ms);
      const used = engine === 'wasm' || engine === 'cpu' ? 1 : threads;
      const gflops = trainStepFlops(model, B) / (ms / 1000) / 1e9;
      const sms = median(r.sample);
      const rss = process.resourceUsage().maxRSS / 1024;
      const psms = median(peer.sample);
      rows.push(
        `| ${name} | ${threads} | ${r.label} | ${ms.toFixed(1)} | ${Number.isFinite(pms) ? `${pms.toFixed(1)}${peerKinds.length > 1 && peer.core ? ` (${peer.core})` : ''}` : '—'} | ${Number.isFinite(pms) ? `${(ms / pms).toFixed(2)}×` : '—'} | ${gflops.toFixed(1)} | ${((100 * gflops) / (corePeak * used)).toFixed(1)} % | ${sms.toFixed(0)} | ${(model.P ** 2 / (sms / 1000)).toFixed(0)} | ${Number.isFinite(psms) ? psms.toFixed(0) : '—'} | ${r.loss} / ${peerLoss || '—'} | ${rss.toFixed(0)} |`,
      );
      console.log(
        `${name} ${threads} thread(s) ${r.label}: ${ms.toFixed(1)} ms/step (PyTorch ${Number.isFinite(pms) ? pms.toFixed(1) : 'n/a'} ms, ${peer.info || 'peer not run: bash bench/setup-peer.sh'}); batch ${B}, ${(trainStepFlops(model, B) / 1e9).toFixed(2)} GFLOP/step, forward ${(forwardFlops(model, B) / 1e9).toFixed(2)} GFLOP`,
      );
    }
  }
}
console.log(`\n${rows.join('\n')}`);
