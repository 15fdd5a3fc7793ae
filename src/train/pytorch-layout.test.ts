// The PyTorch layout (issue 30): nn.Linear weights transposed, everything else as is; every mismatch of a file is
// a typed error naming the tensor; the import config reads back what export writes, and the user's own training
// pairs replace the split of the seed.
import { describe, expect, it } from 'vitest';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import { validateModelConfig } from '../model/config.ts';
import { paramSpecs } from '../model/params.ts';
import type { SafetensorsFile, TensorMap } from '../io/safetensors.ts';
import { fromHalfArray, toHalfArray } from '../io/half-precision.ts';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { runModelConfig } from './config.ts';
import {
  exportConfig,
  fromPytorchTensors,
  IMPORTED_PRESET,
  parseImportConfig,
  PYTORCH_CONFIG_FORMAT,
  REFERENCE_TENSOR,
  referenceInput,
  toPytorchTensors,
  transpose,
} from './pytorch-layout.ts';

const model = validateModelConfig({
  P: 5,
  imageSide: 8,
  patchSize: 4,
  dModel: 4,
  heads: 2,
  ffnWidth: 6,
  depth: 1,
  preAttentionFfn: true,
  norm: 'layernorm',
  timeFeatures: 4,
  initScale: 1,
  inputConditioning: 'zca',
});

/** Distinct values per tensor, so a transposition or a swap shows. */
function weights(): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  paramSpecs(model).forEach((spec, k) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    out.set(
      spec.name,
      Float32Array.from({ length: size }, (_, i) => k + i / 100),
    );
  });
  return out;
}

const file = (tensors: TensorMap): SafetensorsFile => ({ tensors, metadata: {} });

function thrown(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error('expected a CheckpointError');
}

describe('PyTorch layout', () => {
  it('stores nn.Linear weights [out, in] and everything else as grokdiff does, and reads them back exactly', () => {
    const w = weights();
    const tensors = toPytorchTensors(model, w);
    expect(tensors['patch_embed.weight'].shape).toEqual([4, 16]); // [d, patch pixels]: [out, in]
    expect(tensors['blocks.0.ffn.fc1.weight'].shape).toEqual([6, 4]);
    expect(tensors.pos_embed.shape).toEqual([12, 4]); // a parameter, not a Linear: [tokens, d] in both
    expect(tensors['input_cond.whiten'].shape).toEqual([64, 64]);
    // grokdiff [in, out] element (i, o) is PyTorch's (o, i).
    const g = w.get('blocks.0.attn.q.weight')!;
    const p = tensors['blocks.0.attn.q.weight'].data as Float32Array;
    expect(p[1 * 4 + 2]).toBe(g[2 * 4 + 1]);
    expect(tensors['input_cond.whiten'].data).toEqual(w.get('input_cond.whiten'));
    const back = fromPytorchTensors(model, file(tensors), 'm.safetensors');
    expect(back.reference).toBeNull();
    for (const [name, v] of w) expect(back.weights.get(name), name).toEqual(v);
  });

  it('names the tensor of every mismatch: missing, unexpected, shape, dtype, non-finite', () => {
    const good = () => toPytorchTensors(model, weights());
    const { 'blocks.0.attn.k.bias': _gone, ...withoutOne } = good();
    expect(thrown(() => fromPytorchTensors(model, file(withoutOne), 'm.safetensors'))).toMatchObject({
      code: 'import-missing',
      message: expect.stringContaining('"blocks.0.attn.k.bias"'),
    });
    const extra = { ...good(), 'blocks.0.attn.qkv.weight': { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) } };
    expect(thrown(() => fromPytorchTensors(model, file(extra), 'm.safetensors'))).toMatchObject({
      code: 'import-unexpected',
      message: expect.stringContaining('"blocks.0.attn.qkv.weight"'),
    });
    // A non-square Linear stored in grokdiff's own layout: the shape error says so.
    const inOut = good();
    const fc1 = inOut['blocks.0.ffn.fc1.weight'];
    inOut['blocks.0.ffn.fc1.weight'] = { dtype: 'F32', shape: [4, 6], data: transpose(fc1.data as Float32Array, 6, 4) };
    const shape = thrown(() => fromPytorchTensors(model, file(inOut), 'm.safetensors'));
    expect(shape.code).toBe('import-shape');
    expect(shape.message).toContain('"blocks.0.ffn.fc1.weight" has shape [4,6], but the config needs [6,4]');
    expect(shape.message).toContain("grokdiff's own [in, out] layout");
    const f64 = good();
    f64.pos_embed = { dtype: 'F64', shape: [12, 4], data: new Float64Array(48) };
    expect(thrown(() => fromPytorchTensors(model, file(f64), 'm.safetensors'))).toMatchObject({
      code: 'import-dtype',
      message: expect.stringContaining('"pos_embed"'),
    });
    const nan = good();
    (nan['time_mlp.2.bias'].data as Float32Array)[3] = Number.NaN;
    expect(thrown(() => fromPytorchTensors(model, file(nan), 'm.safetensors'))).toMatchObject({
      code: 'import-nonfinite',
      message: expect.stringContaining('"time_mlp.2.bias" holds NaN at element 3'),
    });
    const badRef = { ...good(), [REFERENCE_TENSOR]: { dtype: 'F32' as const, shape: [3, 64], data: new Float32Array(192) } };
    expect(thrown(() => fromPytorchTensors(model, file(badRef), 'm.safetensors'))).toMatchObject({ code: 'import-shape' });
  });

  it('widens F16 exactly', () => {
    const w = weights();
    const tensors = toPytorchTensors(model, w);
    const half = toHalfArray(tensors['blocks.0.attn.o.bias'].data as Float32Array);
    tensors['blocks.0.attn.o.bias'] = { dtype: 'F16', shape: [4], data: half };
    const back = fromPytorchTensors(model, file(tensors), 'm.safetensors');
    expect(back.weights.get('blocks.0.attn.o.bias')).toEqual(fromHalfArray(half));
  });

  it('the reference input follows its formulas', () => {
    const r = referenceInput(3);
    expect(r.t).toEqual(Float32Array.from([0.95, 0.6, 0.3, 0.05]));
    expect(r.xa[1 * 3 + 2]).toBe(Math.fround(Math.sin(0.37 * 3 + 1.3)));
    expect(r.xb[2 * 3 + 0]).toBe(Math.fround(Math.cos(0.23 - 1.4)));
    expect(r.xt[3 * 3 + 1]).toBe(Math.fround(Math.sin(0.11 * 2 * 4)));
  });
});

describe('import config', () => {
  const config = tinyConfig({ seed: 4 });

  it('reads back the config export writes, as an imported run of the same data, model and train fields', () => {
    const text = JSON.parse(JSON.stringify(exportConfig(config, 5, null, { run: 'x' })));
    const parsed = parseImportConfig(text, 'm.config.json');
    expect(parsed.trainPairs).toBeNull();
    expect(parsed.step).toBe(5);
    expect(parsed.origin).toEqual({ run: 'x' });
    expect(parsed.config).toEqual({ ...config, preset: IMPORTED_PRESET });
  });

  it('fills initScale and the train fields but steps, and takes the user own training pairs as the split', () => {
    const raw = {
      format: PYTORCH_CONFIG_FORMAT,
      seed: 2,
      data: {
        P: 5,
        N: 1,
        dataset: 'emnist',
        trainPairs: [
          [1, 2],
          [0, 0],
          [4, 3],
        ],
      },
      model: { ...config.model, initScale: undefined },
      train: { steps: 1234 },
    };
    const parsed = parseImportConfig(JSON.parse(JSON.stringify(raw)), 'c.json');
    expect(parsed.trainPairs?.map((p) => [p.a, p.b, p.c])).toEqual([
      [0, 0, 0],
      [1, 2, 3],
      [4, 3, 2],
    ]);
    expect(parsed.config.data.trainingRatio).toBeCloseTo(3 / 25);
    expect(parsed.config.model.initScale).toBe(1);
    expect(parsed.config.train.steps).toBe(1234);
    expect(parsed.step).toBe(1234); // no "step": the model was trained for train.steps
    expect(runModelConfig(parsed.config).P).toBe(5);
    const back = exportConfig(parsed.config, parsed.step, parsed.trainPairs, null) as { data: Record<string, unknown> };
    expect(back.data.trainPairs).toEqual([
      [0, 0],
      [1, 2],
      [4, 3],
    ]);
    expect(back.data.trainingRatio).toBeUndefined();
  });

  it('refuses a bad config with an error naming the field', () => {
    const base = {
      format: PYTORCH_CONFIG_FORMAT,
      seed: 1,
      data: { P: 5, N: 1, dataset: 'emnist', trainingRatio: 0.6 },
      model: config.model,
      train: { steps: 3 },
    };
    type Raw = { format?: string; step?: number; data: Record<string, unknown>; model: Record<string, unknown>; train: Record<string, unknown> };
    const bad = (change: (c: Raw) => void, says: RegExp) => {
      const c = JSON.parse(JSON.stringify(base)) as Raw;
      change(c);
      expect(() => parseImportConfig(c, 'c.json')).toThrow(says);
      try {
        parseImportConfig(c, 'c.json');
      } catch (err) {
        expect(err).toBeInstanceOf(GrokdiffError);
      }
    };
    bad((c) => delete c.format, /"format" must be "grokdiff-pytorch-v1"/);
    bad((c) => delete c.train.steps, /train\.steps is missing/);
    bad((c) => (c.step = -1), /"step" must be the model's optimiser step/);
    bad((c) => (c.data.trainPairs = [[0, 5]]), /data\.trainPairs\[0\] must be \[a, b\] with integers 0 ≤ a, b < P = 5/);
    bad(
      (c) =>
        (c.data.trainPairs = [
          [0, 1],
          [0, 1],
        ]),
      /listed twice/,
    );
    bad((c) => (c.data.trainPairs = [[0, 1]]), /data\.trainingRatio is implied by data\.trainPairs/);
    bad((c) => delete c.data.trainingRatio, /either trainingRatio .* or trainPairs/);
    bad((c) => (c.data.colour = 'red'), /unknown field "data\.colour"/);
    bad((c) => (c.model.dModel = 15), /heads 2 does not divide dModel 15/);
    bad((c) => (c.model.depth = 0), /depth/);
  });
});
