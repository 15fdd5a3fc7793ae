// A small convolutional classifier of the P symbol images, used to score generated images of c when each
// symbol has N > 1 images (paper Sec. 3-4, generation accuracy of Figures 2 and 4; Appendix C), where one
// template per symbol no longer stands for its class. Trained on the pool's train split (labelled-images.ts)
// with seeded shifts and Gaussian noise (generated images are slightly off the data manifold), measured on
// the test split (classifier-evaluation.ts), saved as a fixture (classifier-fixture.ts).
//
// Architecture: per block a 3×3 convolution ('same', zero padding = background), ReLU and 2×2 max-pool; then
// a ReLU dense layer and the P logits. The convolution is written as im2col (pad, 9 slices, concat) and one
// matMul because the wasm backend has no Conv2DBackpropFilter kernel (tf.conv2d cannot be differentiated
// there); pad, slice, concat, matMul, maxPool and their gradients exist on cpu, wasm and node, so the same
// code trains and classifies on every backend. The filter layout is tf.conv2d's [3, 3, in, out].

import * as tf from '@tensorflow/tfjs-core';
import { AdamW, decayMatricesOnly } from '../engine/adamw.ts';
import type { Rng } from '../engine/random.ts';
import { CheckpointError, ConfigError, ModelError } from '../errors.ts';
import type { AccuracyResult } from './accuracy.ts';
import type { Classifier } from './classifier.ts';
import type { LabelledImages } from './labelled-images.ts';

export const CNN_KIND = 'conv3x3-relu-maxpool';

export interface CnnArchitecture {
  readonly kind: typeof CNN_KIND;
  /** Image side S: inputs are [count, S*S]. */
  readonly side: number;
  /** Number of symbols P (logits). */
  readonly classes: number;
  /** Pixel range of the inputs; mapped to [0, 1] (background 0) before the first convolution. */
  readonly pixelRange: readonly [number, number];
  /** Output channels of each conv block (3×3 conv, ReLU, 2×2 max-pool). */
  readonly channels: readonly number[];
  /** Width of the hidden dense layer. */
  readonly hidden: number;
}

export interface CnnParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Inputs per output unit (He initialisation); 0 for biases (zeros). */
  readonly fanIn: number;
}

/** The default architecture for P symbols at side S (chosen by measurement; see fixtures/classifiers/README.md). */
export function defaultArchitecture(P: number, side: number, pixelRange: readonly [number, number]): CnnArchitecture {
  return validateArchitecture(
    { kind: CNN_KIND, side, classes: P, pixelRange: [pixelRange[0], pixelRange[1]], channels: [16, 32], hidden: 128 },
    'default architecture',
  );
}

function positiveInt(source: string, field: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError('classifier-architecture', `${source}: ${field} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Checks an architecture read from a file or built by hand; errors name `source` and the field. */
export function validateArchitecture(raw: unknown, source: string): CnnArchitecture {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('classifier-architecture', `${source}: architecture must be an object, got ${JSON.stringify(raw)}`);
  }
  const a = raw as Record<string, unknown>;
  if (a.kind !== CNN_KIND)
    throw new ConfigError('classifier-architecture', `${source}: architecture.kind must be "${CNN_KIND}", got ${JSON.stringify(a.kind)}`);
  const range = a.pixelRange;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number' && Number.isFinite(x)) || !(range[0] < range[1])) {
    throw new ConfigError('classifier-architecture', `${source}: architecture.pixelRange must be [low, high] with low < high, got ${JSON.stringify(range)}`);
  }
  const channels = a.channels;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new ConfigError('classifier-architecture', `${source}: architecture.channels must be a non-empty array of integers, got ${JSON.stringify(channels)}`);
  }
  return {
    kind: CNN_KIND,
    side: positiveInt(source, 'architecture.side', a.side, 4),
    classes: positiveInt(source, 'architecture.classes', a.classes, 2),
    pixelRange: [range[0] as number, range[1] as number],
    channels: channels.map((c, i) => positiveInt(source, `architecture.channels[${i}]`, c)),
    hidden: positiveInt(source, 'architecture.hidden', a.hidden),
  };
}

/** Side of the feature map after each of the conv blocks (2×2 max-pool, 'same' padding: ⌈s/2⌉). */
function pooledSide(arch: CnnArchitecture): number {
  return arch.channels.reduce((s) => Math.ceil(s / 2), arch.side);
}

/** Names and shapes of every parameter, in a fixed order. */
export function cnnParamSpecs(arch: CnnArchitecture): CnnParamSpec[] {
  const specs: CnnParamSpec[] = [];
  let cin = 1;
  arch.channels.forEach((cout, i) => {
    specs.push({ name: `conv${i}.weight`, shape: [3, 3, cin, cout], fanIn: 9 * cin }, { name: `conv${i}.bias`, shape: [cout], fanIn: 0 });
    cin = cout;
  });
  const s = pooledSide(arch);
  const flat = s * s * cin;
  specs.push(
    { name: 'fc.weight', shape: [flat, arch.hidden], fanIn: flat },
    { name: 'fc.bias', shape: [arch.hidden], fanIn: 0 },
    { name: 'out.weight', shape: [arch.hidden, arch.classes], fanIn: arch.hidden },
    { name: 'out.bias', shape: [arch.classes], fanIn: 0 },
  );
  return specs;
}

/** Seeded He-normal weights (std √(2/fanIn)) and zero biases, drawn in JavaScript (the same on every backend). */
export function initialCnnWeights(arch: CnnArchitecture, rng: Rng): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of cnnParamSpecs(arch)) {
    const size = spec.shape.reduce((n, d) => n * d, 1);
    out.set(spec.name, spec.fanIn === 0 ? new Float32Array(size) : rng.fork(spec.name).normalArray(size, Math.sqrt(2 / spec.fanIn)));
  }
  return out;
}

// ---- forward -----------------------------------------------------------------------------------------

/** 3×3 'same' convolution of x [B, H, W, C] with w [3, 3, C, O] and bias [O], as im2col + matMul. */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor, bias: tf.Tensor): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const O = w.shape[3]!;
  const padded = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const taps: tf.Tensor4D[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) taps.push(tf.slice(padded, [0, dy, dx, 0], [B, H, W, C]));
  const cols = tf.reshape(taps.length === 1 ? taps[0] : tf.concat(taps, 3), [B * H * W, 9 * C]);
  return tf.reshape(tf.add(tf.matMul(cols, tf.reshape(w, [9 * C, O])), bias), [B, H, W, O]);
}

/** Logits [count, P] of images [count, S*S] (inside a tf.tidy of the caller). */
export function cnnLogits(arch: CnnArchitecture, params: ReadonlyMap<string, tf.Tensor>, images: tf.Tensor2D): tf.Tensor2D {
  const p = (name: string): tf.Tensor => params.get(name)!;
  const [lo, hi] = arch.pixelRange;
  const count = images.shape[0];
  let x = tf.reshape(tf.div(tf.sub(images, lo), hi - lo), [count, arch.side, arch.side, 1]) as tf.Tensor4D;
  arch.channels.forEach((_, i) => {
    x = tf.maxPool(tf.relu(conv3x3(x, p(`conv${i}.weight`), p(`conv${i}.bias`))), 2, 2, 'same');
  });
  const flat = tf.reshape(x, [count, -1]);
  const hidden = tf.relu(tf.add(tf.matMul(flat, p('fc.weight')), p('fc.bias')));
  return tf.add(tf.matMul(hidden, p('out.weight')), p('out.bias')) as tf.Tensor2D;
}

/** Mean softmax cross-entropy of logits [B, P] against labels (one-hot [B, P]); LogSoftmax has no wasm kernel. */
function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  const logProbs = tf.sub(logits, tf.logSumExp(logits, 1, true));
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), 1))) as tf.Scalar;
}

// ---- the classifier ----------------------------------------------------------------------------------

/** Images classified per forward pass (bounds memory: 256 images at side 28 are a few MB of activations). */
const CLASSIFY_CHUNK = 256;

export class CnnClassifier implements Classifier {
  readonly name: string;
  /** Accuracy on held-out real images of the classes, when measured (set by the fixture loader). */
  heldout?: AccuracyResult;
  private readonly vars: Map<string, tf.Variable>;
  private disposed = false;

  constructor(
    readonly arch: CnnArchitecture,
    weights: ReadonlyMap<string, Float32Array>,
    where: string,
  ) {
    checkWeights(arch, weights, where);
    this.name = `cnn-${arch.channels.join('-')}-${arch.hidden}-p${arch.classes}-s${arch.side}`;
    const id = uniqueId();
    const variable = (name: string, shape: readonly number[]): tf.Variable =>
      tf.tidy(() => tf.variable(tf.tensor(weights.get(name)!, [...shape], 'float32'), true, `${this.name}/${id}/${name}`));
    this.vars = new Map(cnnParamSpecs(arch).map((s) => [s.name, variable(s.name, s.shape)]));
  }

  /** The trainable variables by parameter name. */
  get params(): ReadonlyMap<string, tf.Variable> {
    this.checkAlive();
    return this.vars;
  }

  classify(images: Float32Array, count: number): Int32Array {
    this.checkAlive();
    const pixels = this.arch.side * this.arch.side;
    if (!Number.isInteger(count) || count < 0 || images.length !== count * pixels) {
      throw new ModelError('classifier-shape', `classify (${this.name}): images have ${images.length} values, expected count·side² = ${count}·${pixels}`);
    }
    const out = new Int32Array(count);
    for (let start = 0; start < count; start += CLASSIFY_CHUNK) {
      const n = Math.min(CLASSIFY_CHUNK, count - start);
      const pred = tf.tidy(() =>
        tf.argMax(cnnLogits(this.arch, this.vars, tf.tensor2d(images.subarray(start * pixels, (start + n) * pixels), [n, pixels])), 1),
      );
      out.set(pred.dataSync() as Int32Array, start);
      pred.dispose();
    }
    return out;
  }

  /** A copy of the weights (for saving). */
  readWeights(): Map<string, Float32Array> {
    this.checkAlive();
    return new Map([...this.vars].map(([name, v]) => [name, Float32Array.from(v.dataSync() as Float32Array)]));
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.vars.values()) v.dispose();
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new ModelError('classifier-disposed', `${this.name}: used after dispose()`);
  }
}

let idCounter = 0;
const uniqueId = (): number => ++idCounter;

/** Every parameter present with the right number of values, nothing extra; errors name `where` and the tensor. */
function checkWeights(arch: CnnArchitecture, weights: ReadonlyMap<string, Float32Array>, where: string): void {
  const specs = cnnParamSpecs(arch);
  for (const spec of specs) {
    const w = weights.get(spec.name);
    const size = spec.shape.reduce((n, d) => n * d, 1);
    if (!w)
      throw new CheckpointError('classifier-tensor-missing', `${where}: tensor "${spec.name}" is missing; the architecture needs [${spec.shape.join(', ')}]`);
    if (w.length !== size) {
      throw new CheckpointError(
        'classifier-tensor-shape',
        `${where}: tensor "${spec.name}" has ${w.length} values; the architecture needs [${spec.shape.join(', ')}] = ${size}`,
      );
    }
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of weights.keys()) {
    if (!known.has(name))
      throw new CheckpointError(
        'classifier-tensor-unexpected',
        `${where}: tensor "${name}" is not a parameter of the architecture (expected ${[...known].join(', ')})`,
      );
  }
}

// ---- training ----------------------------------------------------------------------------------------

export interface CnnTrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate (cosine decay to lrFinal·lr over the run). */
  readonly lr: number;
  readonly lrFinal: number;
  readonly weightDecay: number;
  /** Largest shift in pixels along each axis (uniform in [-maxShift, maxShift]). */
  readonly maxShift: number;
  /** Gaussian pixel noise: per image σ = noiseStd·u, u ~ U(0, 1), in units of the pixel range. */
  readonly noiseStd: number;
}

/** The training settings used for the committed fixtures (chosen on a validation slice of the train split). */
export function defaultTrainOptions(side: number): CnnTrainOptions {
  return { epochs: 14, batchSize: 64, lr: 3e-3, lrFinal: 0.02, weightDecay: 0.05, maxShift: Math.max(1, Math.round(side / 14)), noiseStd: 0.1 };
}

export interface CnnEpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly seconds: number;
}

/**
 * Copies rows `rows` of imagesByRow [count, S*S] into a batch [rows.length, S*S], each shifted by a seeded
 * (dy, dx) with background fill and given seeded Gaussian noise (see CnnTrainOptions).
 */
export function augmentBatch(
  imagesByRow: Float32Array,
  rows: ArrayLike<number>,
  side: number,
  pixelRange: readonly [number, number],
  options: Pick<CnnTrainOptions, 'maxShift' | 'noiseStd'>,
  rng: Rng,
): Float32Array {
  const pixels = side * side;
  const [lo, hi] = pixelRange;
  const out = new Float32Array(rows.length * pixels).fill(lo);
  const span = 2 * options.maxShift + 1;
  for (let i = 0; i < rows.length; i++) {
    const dy = options.maxShift > 0 ? rng.int(span) - options.maxShift : 0;
    const dx = options.maxShift > 0 ? rng.int(span) - options.maxShift : 0;
    const src = rows[i] * pixels;
    const dst = i * pixels;
    for (let r = Math.max(0, dy); r < Math.min(side, side + dy); r++) {
      for (let c = Math.max(0, dx); c < Math.min(side, side + dx); c++) out[dst + r * side + c] = imagesByRow[src + (r - dy) * side + (c - dx)];
    }
    const sigma = options.noiseStd * rng.uniform() * (hi - lo);
    if (sigma > 0) for (let p = 0; p < pixels; p++) out[dst + p] += sigma * rng.normal();
  }
  return out;
}

function oneHotRows(labels: Int32Array, rows: ArrayLike<number>, P: number): Float32Array {
  const out = new Float32Array(rows.length * P);
  for (let i = 0; i < rows.length; i++) out[i * P + labels[rows[i]]] = 1;
  return out;
}

function checkTrainInputs(arch: CnnArchitecture, data: LabelledImages, options: CnnTrainOptions): void {
  if (data.side !== arch.side || data.P !== arch.classes) {
    throw new ConfigError(
      'classifier-data',
      `trainCnn: images are P = ${data.P}, side ${data.side}; the architecture is P = ${arch.classes}, side ${arch.side}`,
    );
  }
  if (data.count === 0) throw new ConfigError('classifier-data', 'trainCnn: no training images');
  for (const [k, v] of Object.entries(options)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ConfigError('classifier-train-option', `trainCnn: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    throw new ConfigError('classifier-train-option', `trainCnn: epochs must be an integer ≥ 1, got ${options.epochs}`);
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
    throw new ConfigError('classifier-train-option', `trainCnn: batchSize must be an integer ≥ 1, got ${options.batchSize}`);
  if (!Number.isInteger(options.maxShift)) throw new ConfigError('classifier-train-option', `trainCnn: maxShift must be an integer, got ${options.maxShift}`);
}

/**
 * Trains a CNN on labelled images with AdamW (decay on matrices and filters only) and a cosine learning
 * rate; minibatches are a seeded shuffle per epoch. Every draw comes from `rng` (init, order, augmentation).
 */
export function trainCnn(
  arch: CnnArchitecture,
  data: LabelledImages,
  options: CnnTrainOptions,
  rng: Rng,
  log: (entry: CnnEpochLog) => void = () => {},
): { classifier: CnnClassifier; epochs: CnnEpochLog[] } {
  checkTrainInputs(arch, data, options);
  const classifier = new CnnClassifier(arch, initialCnnWeights(arch, rng.fork('init')), 'initial weights');
  const perEpoch = Math.ceil(data.count / options.batchSize);
  const total = options.epochs * perEpoch;
  const lrAt = (t: number): number => options.lr * (options.lrFinal + (1 - options.lrFinal) * 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / total)));
  const optimizer = new AdamW({ lr: lrAt, weightDecay: options.weightDecay, decay: decayMatricesOnly });
  const pixels = arch.side * arch.side;
  const epochs: CnnEpochLog[] = [];
  const t0 = performance.now();
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const epochRng = rng.fork(`epoch-${epoch}`);
      const order = epochRng.fork('order').shuffle(Array.from({ length: data.count }, (_, i) => i));
      const augRng = epochRng.fork('augment');
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < perEpoch; b++) {
        const rows = order.slice(b * options.batchSize, (b + 1) * options.batchSize);
        const batch = augmentBatch(data.images, rows, arch.side, arch.pixelRange, options, augRng);
        const [loss, hits] = trainStep(classifier, optimizer, batch, oneHotRows(data.labels, rows, arch.classes), rows.length, pixels);
        lossSum += loss * rows.length;
        correct += hits;
      }
      const entry = { epoch, loss: lossSum / data.count, trainAccuracy: correct / data.count, seconds: (performance.now() - t0) / 1000 };
      epochs.push(entry);
      log(entry);
    }
  } catch (err) {
    classifier.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
  return { classifier, epochs };
}

/** One AdamW step on a batch [n, S*S]; returns the loss and the number of correct predictions (before the update). */
function trainStep(classifier: CnnClassifier, optimizer: AdamW, batch: Float32Array, oneHot: Float32Array, n: number, pixels: number): [number, number] {
  const arch = classifier.arch;
  const params = classifier.params;
  let hits: tf.Tensor | undefined;
  const loss = tf.tidy(() => {
    const x = tf.tensor2d(batch, [n, pixels]);
    const y = tf.tensor2d(oneHot, [n, arch.classes]);
    const { value, grads } = tf.variableGrads(() => {
      const logits = cnnLogits(arch, params, x);
      // Kept past the gradient tape's tidy; disposed below.
      hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'int32')));
      return crossEntropy(logits, y);
    }, [...params.values()]);
    optimizer.step(params, new Map([...params].map(([name, v]) => [name, grads[v.name]])));
    return value;
  });
  const out: [number, number] = [loss.dataSync()[0], hits!.dataSync()[0]];
  loss.dispose();
  hits!.dispose();
  return out;
}
