// The webgpu backend (webgpu.ts). Two parts:
// - kernel coverage (needs only the optional packages, no adapter): every kernel that grokdiff's training step,
//   flow loss, sampler, activation taps (every tap, with the token means the analyses take) and CNN classifier
//   (training and classifying) call, recorded on wasm, is registered for webgpu. grokdiff's own kernels (fused
//   GeLU, AdamW) are wasm-native only by design: gelu.ts and adamw.ts use composed ops elsewhere.
// - agreement (needs an adapter: a GPU, or lavapipe from .ci/webgpu-setup.sh): a few cpu-n1 training steps, the
//   sampler and the taps give wasm's numbers on webgpu to float32 tolerance, reads work synchronously
//   (dataSync) and asynchronously (data()), and engineInfo names the adapter.
// The every-backend engine specs (matmul, gelu, adamw) run on webgpu through describeWithBackends.
// @module-tag webgpu
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { engineInfo, initBackend } from './backend.ts';
import { rootRng } from './random.ts';
import { missingWebGpuPackages, WEBGPU_PACKAGES } from './webgpu.ts';
import { testBackendAvailability } from '../../test-support/backends.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { allPairs } from '../data/pairs.ts';
import { generateForPairs } from '../eval/generation.ts';
import { tokenMean } from '../eval/grid-activations.ts';
import { defaultArchitecture, defaultTrainOptions, trainCnn } from '../eval/cnn-classifier.ts';
import type { LabelledImages } from '../eval/labelled-images.ts';
import { forward } from '../model/dit.ts';
import { createParams, disposeParams, initialValues } from '../model/params.ts';
import { tapNames } from '../model/taps.ts';
import { getPreset } from '../train/presets.ts';
import { applyOverrides, runModelConfig, type RunConfig } from '../train/config.ts';
import { prepareRunData, stepBatch } from '../train/run-data.ts';
import { fullBatchStep } from '../train/step.ts';
import { learningRate, makeOptimizer } from '../train/trainer.ts';

const pool = loadEmnistPool();

/** Steps 1..steps of a run of `preset` (seed 1), as the trainer runs them; returns the losses. */
function trainSteps(config: RunConfig, steps: number): number[] {
  const model = runModelConfig(config);
  const rng = rootRng(config.seed);
  const data = prepareRunData(config, rng.fork('data'), pool);
  const trainRng = rng.fork('train');
  const params = createParams(model, initialValues(model, rng.fork('init')));
  const optimizer = makeOptimizer(config, model);
  const losses: number[] = [];
  try {
    for (let s = 1; s <= steps; s++)
      losses.push(fullBatchStep(model, params, optimizer, data.symbols.images, stepBatch(data, trainRng, s), learningRate(config, s)));
  } finally {
    optimizer.dispose();
    disposeParams(params);
  }
  return losses;
}

/** Samples a few pairs and reads every tap of one forward pass (with the token means of the analyses). */
function sampleAndTaps(config: RunConfig): { images: Float32Array; taps: Map<string, Float32Array> } {
  const model = runModelConfig(config);
  const rng = rootRng(config.seed);
  const data = prepareRunData(config, rng.fork('data'), pool);
  const params = createParams(model, initialValues(model, rng.fork('init')));
  try {
    const pairs = allPairs(model.P).slice(0, 6);
    const { images } = generateForPairs(model, params, data.symbols, pairs, { draws: 1, steps: 3, rng: rootRng(7) });
    const px = model.imageSide ** 2;
    const B = 4;
    const names = tapNames(model);
    const taps = new Map<string, Float32Array>();
    tf.tidy(() => {
      const x = (i: number) => tf.tensor2d(data.symbols.images.slice(i * px, (i + B) * px), [B, px]);
      const t = tf.tensor1d([0.1, 0.4, 0.7, 0.95]);
      const out = forward(model, params, { xa: x(0), xb: x(1), xt: x(2), t }, { read: names });
      for (const [name, value] of out.taps) {
        taps.set(name, value.dataSync() as Float32Array);
        if (value.rank === 3)
          for (const which of ['a', 'b', 'c'] as const) taps.set(`${name}:mean-${which}`, tokenMean({ model }, name, value, which).dataSync() as Float32Array);
      }
      taps.set('output', out.output.dataSync() as Float32Array);
      tf.dispose([...out.taps.values()]);
    });
    return { images, taps };
  } finally {
    disposeParams(params);
  }
}

/** One epoch of the CNN classifier on a few images per class, then classifying them. */
function classifierRound(P: number, side: number): Int32Array {
  const perClass = 4;
  const count = P * perClass;
  const rng = rootRng(3);
  const images = Float32Array.from(rng.fork('images').normalArray(count * side * side), (v) => Math.tanh(v));
  const labels = Int32Array.from({ length: count }, (_, i) => i % P);
  const data = { P, side, count, images, labels, perClass: new Array<number>(P).fill(perClass) } as unknown as LabelledImages;
  const arch = defaultArchitecture(P, side, [-1, 1]);
  const { classifier } = trainCnn(arch, data, { ...defaultTrainOptions(side), epochs: 1 }, rng.fork('train'));
  try {
    return classifier.classify(images, count);
  } finally {
    classifier.dispose();
  }
}

const packagesMissing = missingWebGpuPackages();

describe.skipIf(packagesMissing.length > 0)(
  `webgpu kernel coverage${packagesMissing.length > 0 ? ` [${packagesMissing.join(', ')} not installed]` : ''}`,
  () => {
    it('registers every kernel that training, sampling, the taps and the classifier call (recorded on wasm)', async () => {
      await initBackend('wasm', { source: 'webgpu.test', native: false });
      const used = new Set<string>();
      const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
      const original = engine.runKernel;
      engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
        used.add(name);
        return original.call(this, name, ...rest);
      };
      try {
        const cpuN1 = applyOverrides(getPreset('cpu-n1'), [], { seed: 1 });
        trainSteps(cpuN1, 1);
        sampleAndTaps(cpuN1);
        sampleAndTaps(applyOverrides(getPreset('paper-n256-sandwich'), [], { seed: 1 }));
        classifierRound(5, 16);
      } finally {
        engine.runKernel = original;
      }
      // Importing the module registers its kernels; it registers no backend (navigator.gpu is not set).
      const spec: string = WEBGPU_PACKAGES[1];
      await import(spec);
      const grokdiffOwn = [...used].filter((k) => k.startsWith('Grokdiff'));
      const missing = [...used].filter((k) => !k.startsWith('Grokdiff') && tf.getKernel(k, 'webgpu') == null).sort();
      expect(used.size).toBeGreaterThan(20);
      expect(grokdiffOwn).toEqual([]); // native kernels were off
      expect(missing, `kernels without a webgpu implementation (used: ${[...used].sort().join(' ')})`).toEqual([]);
    });
  },
);

const webgpu = testBackendAvailability('webgpu');

describe.skipIf(!webgpu.available)(`webgpu agrees with wasm [${webgpu.detail}]`, () => {
  const config = applyOverrides(getPreset('cpu-n1'), [], { seed: 1 });
  const STEPS = 3;
  let wasm: { losses: number[]; images: Float32Array; taps: Map<string, Float32Array> };

  beforeAll(async () => {
    await initBackend('wasm', { source: 'webgpu.test', native: false });
    wasm = { losses: trainSteps(config, STEPS), ...sampleAndTaps(config) };
    await initBackend('webgpu', { source: 'webgpu.test' });
  });
  afterAll(async () => {
    await initBackend('wasm', { source: 'webgpu.test', native: false });
  });

  it('names the adapter in engineInfo', () => {
    const info = engineInfo();
    expect(info.backend).toBe('webgpu');
    expect(info.webgpuAdapter).not.toBeNull();
    expect(info.webgpuAdapter!.description.length + info.webgpuAdapter!.device.length).toBeGreaterThan(0);
    expect(info.versions['@tensorflow/tfjs-backend-webgpu']).toBe('4.22.0');
  });

  it('reads GPU tensors synchronously and asynchronously', async () => {
    const x = tf.tidy(() => tf.mul(tf.range(0, 5000, 1, 'float32'), 2)); // above the CPU-forwarding threshold
    expect(x.dataSync()[4999]).toBe(9998);
    const y = tf.tidy(() => tf.add(x, 1));
    expect((await y.data())[4999]).toBe(9999);
    tf.dispose([x, y]);
  });

  it(`gives wasm's losses for ${STEPS} cpu-n1 training steps (float32 tolerance)`, () => {
    const losses = trainSteps(config, STEPS);
    // wasm's loss itself differs from the cpu reference by about 2e-5 relative; webgpu matches cpu to ~1e-7.
    losses.forEach((l, i) => {
      expect(Math.abs(l - wasm.losses[i]) / Math.abs(wasm.losses[i]), `step ${i + 1}: ${l} vs ${wasm.losses[i]}`).toBeLessThan(1e-4);
    });
  });

  it("gives wasm's samples and every tap of a forward pass (float32 tolerance)", () => {
    const got = sampleAndTaps(config);
    const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / (1 + Math.abs(b[i]))), 0);
    expect(maxDiff(got.images, wasm.images)).toBeLessThan(1e-4);
    expect([...got.taps.keys()]).toEqual([...wasm.taps.keys()]);
    for (const [name, v] of got.taps) expect(maxDiff(v, wasm.taps.get(name)!), name).toBeLessThan(1e-4);
  });
});
