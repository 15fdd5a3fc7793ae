// Tests of W′L for a DiT's FFN neurons (readout-map.ts, paper Table 3) on tiny untrained models: the map of
// each neuron of the last block into x̂0 equals the change of the output when that neuron's post-GeLU value at
// the c tokens is raised (a tap edit), for one and for several patches per image (norm 'none': exact);
// W′L = ⟨template_c − mean, M_i⟩ with templates the class means; no tensor leaks; a bad block is refused.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { allPairs } from '../data/pairs.ts';
import { rootRng } from '../engine/random.ts';
import { validateModelConfig, type ModelConfig } from '../model/config.ts';
import { forward } from '../model/dit.ts';
import { createParams, initialValues } from '../model/params.ts';
import type { LoadedRun } from './loaded-run.ts';
import { nearestTemplateClassifier } from './classifier.ts';
import { classTemplates, ffnNeuronReadout } from './readout-map.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const P = 5;

function tinyRun(side: number, patch: number, depth: number, N = 1): LoadedRun {
  const model: ModelConfig = validateModelConfig({
    P,
    imageSide: side,
    patchSize: patch,
    dModel: 8,
    heads: 2,
    ffnWidth: 6,
    depth,
    preAttentionFfn: false,
    norm: 'none',
    timeFeatures: 4,
    initScale: 1,
  });
  const px = side * side;
  const images = rootRng(3).normalArray(P * N * px);
  return {
    model,
    params: createParams(model, initialValues(model, rootRng(0))),
    data: { symbols: { P, N, side, images }, pixels: px, train: allPairs(P), heldout: [], heldoutNovel: [] },
    classifier: nearestTemplateClassifier(images.subarray(0, P * px), P, px),
    step: 0,
    dir: '(test)',
  } as unknown as LoadedRun;
}

/** x̂0 change per unit when neuron i of block l's FFN (post-GeLU) is raised by delta at every c token. */
function outputChange(run: LoadedRun, block: number, neuron: number, delta: number): Float64Array {
  const px = run.data.pixels;
  const n = (run.model.imageSide / run.model.patchSize) ** 2;
  const inputs = {
    xa: tf.tensor2d(run.data.symbols.images.subarray(0, px), [1, px]),
    xb: tf.tensor2d(run.data.symbols.images.subarray(px, 2 * px), [1, px]),
    xt: tf.tensor2d(rootRng(9).normalArray(px), [1, px]),
    t: tf.tensor1d([1]),
  };
  const base = forward(run.model, run.params, inputs).output;
  const edited = forward(run.model, run.params, inputs, {
    edit: {
      [`block${block}.ffn.post`]: (v) => {
        const bump = new Float32Array(v.size);
        const f = v.shape[2] as number;
        for (let tok = 2 * n; tok < 3 * n; tok++) bump[tok * f + neuron] = delta;
        return tf.add(v, tf.tensor(bump, v.shape));
      },
    },
  }).output;
  const diff = Float64Array.from(tf.sub(edited, base).dataSync()).map((x) => x / delta);
  tf.dispose([base, edited, inputs.xa, inputs.xb, inputs.xt, inputs.t]);
  return diff;
}

describe('ffnNeuronReadout', () => {
  for (const [side, patch] of [
    [4, 4],
    [4, 2],
  ] as const) {
    it(`the neuron→image map of the last block is the output change of a tap edit (${(side / patch) ** 2} patch(es) per image)`, () => {
      const run = tinyRun(side, patch, 1);
      const before = tf.memory().numTensors;
      const r = ffnNeuronReadout(run, 0);
      expect(tf.memory().numTensors).toBe(before);
      const px = side * side;
      for (const neuron of [0, 3, 5]) {
        const change = outputChange(run, 0, neuron, 0.5);
        for (let j = 0; j < px; j++) expect(r.neuronToImage[neuron * px + j]).toBeCloseTo(change[j], 4);
      }
    });
  }

  it('W′L[c, i] = ⟨template_c − mean template, M_i⟩, with templates the mean image of each class', () => {
    const run = tinyRun(4, 4, 2, 2);
    const r = ffnNeuronReadout(run, 1);
    const px = 16;
    const T = classTemplates(run);
    const imgs = run.data.symbols.images;
    expect(T[3 * px + 5]).toBeCloseTo((imgs[3 * 2 * px + 5] + imgs[(3 * 2 + 1) * px + 5]) / 2, 6);
    for (const c of [0, 4]) {
      for (const i of [1, 2]) {
        let s = 0;
        for (let j = 0; j < px; j++) {
          let mean = 0;
          for (let q = 0; q < P; q++) mean += T[q * px + j] / P;
          s += (T[c * px + j] - mean) * r.neuronToImage[i * px + j];
        }
        expect(r.readout[c * r.units + i]).toBeCloseTo(s, 8);
      }
    }
    expect(r.block).toBe(1);
  });

  it('refuses a block the model does not have', () => {
    const run = tinyRun(4, 4, 1);
    expect(() => ffnNeuronReadout(run, 1)).toThrow(/block 1 does not exist/);
    expect(() => ffnNeuronReadout(run, -1)).toThrow(/does not exist/);
  });
});
