// Per-kernel profile of one full-batch training step on the wasm backend (issue #8): tf.profile records
// every kernel the step runs with its time; this aggregates time and call count by kernel name (and by
// kernel + input shapes for the top entries) so the top costs of a step are visible.
// Usage: npx tsx bench/profile-step.bench.ts   (env BENCH_CONFIG=cpu-n1|paper-n1, BENCH_BACKEND=wasm,
// GROKDIFF_NATIVE=0 to profile plain wasm without the native kernels, BENCH_PROFILE_STEPS=7)

import * as tf from '@tensorflow/tfjs-core';
import { environment } from '../src/config/environment.ts';
import { engineInfo, initBackend } from '../src/engine/backend.ts';
import { rootRng } from '../src/engine/random.ts';
import { loadEmnistPool } from '../src/data/pool.ts';
import { createParams, initialValues } from '../src/model/params.ts';
import { getPreset } from '../src/train/presets.ts';
import { applyOverrides, runModelConfig } from '../src/train/config.ts';
import { prepareRunData, stepBatch } from '../src/train/run-data.ts';
import { fullBatchStep } from '../src/train/step.ts';
import { makeOptimizer } from '../src/train/trainer.ts';

const name = environment().benchConfig;
await initBackend(environment().benchBackend, { log: () => {} });
const config = applyOverrides(getPreset(name), [], { seed: 1 });
const model = runModelConfig(config);
const rng = rootRng(1);
const data = prepareRunData(config, rng.fork('data'), loadEmnistPool());
const params = createParams(model, initialValues(model, rng.fork('init')));
const optimizer = makeOptimizer(config, model);
const arrays = stepBatch(data, rng.fork('train'), 1);
for (let i = 0; i < 3; i++) fullBatchStep(model, params, optimizer, data.symbols.images, arrays, config.train.lr);
// Several profiled steps; each kernel (by name, and by name + shapes) gets the MEDIAN over the steps of its
// per-step total, so a garbage-collection pause that lands in one kernel in one step does not top the table.
const PROFILE_STEPS = environment().benchProfileSteps;
const perStepByName: Map<string, { ms: number; calls: number }>[] = [];
const perStepByShape: Map<string, { ms: number; calls: number }>[] = [];
let kernelCount = 0;
const walls: number[] = [];
for (let s = 0; s < PROFILE_STEPS; s++) {
  const t0 = performance.now();
  const info = await tf.profile(() => {
    fullBatchStep(model, params, optimizer, data.symbols.images, arrays, config.train.lr);
  });
  walls.push(performance.now() - t0);
  kernelCount = info.kernels.length;
  const byName = new Map<string, { ms: number; calls: number }>();
  const byShape = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const ms = Number(await (k as unknown as { kernelTimeMs: number | Promise<number> }).kernelTimeMs) || 0;
    const a = byName.get(k.name) ?? { ms: 0, calls: 0 };
    byName.set(k.name, { ms: a.ms + ms, calls: a.calls + 1 });
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const b = byShape.get(key) ?? { ms: 0, calls: 0 };
    byShape.set(key, { ms: b.ms + ms, calls: b.calls + 1 });
  }
  perStepByName.push(byName);
  perStepByShape.push(byShape);
}
function medianOver(steps: Map<string, { ms: number; calls: number }>[]): Map<string, { ms: number; calls: number }> {
  const out = new Map<string, { ms: number; calls: number }>();
  for (const key of steps[0].keys()) {
    const values = steps.map((m) => m.get(key)?.ms ?? 0).sort((x, y) => x - y);
    out.set(key, { ms: values[values.length >> 1], calls: steps[0].get(key)!.calls });
  }
  return out;
}
const byName = medianOver(perStepByName);
const byShape = medianOver(perStepByShape);
const total = [...byName.values()].reduce((s, v) => s + v.ms, 0);
const wall = [...walls].sort((x, y) => x - y)[walls.length >> 1];
console.log(
  `${name} on ${tf.getBackend()}${engineInfo().wasmNative ? ' + native kernels' : ''}: ${kernelCount} kernels, ${total.toFixed(1)} ms in kernels (sum of per-kernel medians over ${PROFILE_STEPS} steps), ${wall.toFixed(1)} ms wall (median; profiling adds overhead)`,
);
console.log('\n| kernel | calls | ms | share |\n|---|---|---|---|');
for (const [k, v] of [...byName].sort((x, y) => y[1].ms - x[1].ms).slice(0, 15))
  console.log(`| ${k} | ${v.calls} | ${v.ms.toFixed(1)} | ${((100 * v.ms) / total).toFixed(1)} % |`);
console.log('\n| kernel and input shapes | calls | ms |\n|---|---|---|');
for (const [k, v] of [...byShape].sort((x, y) => y[1].ms - x[1].ms).slice(0, 12)) console.log(`| ${k} | ${v.calls} | ${v.ms.toFixed(1)} |`);
