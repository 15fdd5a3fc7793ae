// AdamW (decoupled weight decay) for training the diffusion transformer; tfjs has Adam but no AdamW, and
// weight decay is central to grokking. It follows PyTorch's `torch.optim.AdamW` (`_single_tensor_adamw`,
// torch/optim/adamw.py), step by step, for parameter p with gradient g at step t = 1, 2, ...:
//
//   p ← p · (1 − lr·wd)                          decay first, on the old p            (param.mul_)
//   m ← m + (1 − β1)·(g − m)                     = β1·m + (1 − β1)·g                  (exp_avg.lerp_)
//   v ← β2·v + (1 − β2)·g·g                                                            (mul_, addcmul_)
//   bc1 = 1 − β1^t,  bc2 = 1 − β2^t              computed in float64
//   denom = sqrt(v) / sqrt(bc2) + eps            eps is added AFTER the bias correction of v, i.e.
//                                                 p −= lr·m̂ / (sqrt(v̂) + eps) with m̂ = m/bc1, v̂ = v/bc2
//   p ← p − (lr / bc1) · m / denom               (addcdiv_ with value −lr/bc1)
//
// Defaults as PyTorch: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. The tensor arithmetic is float32
// (scalars rounded to float32), as PyTorch does for float32 parameters. The step count t is global to the
// optimizer (PyTorch keeps one per parameter; they agree as long as every parameter gets a gradient at every
// step, which `step` enforces). The learning rate is a number you may change between steps (warm-up) or a
// schedule function of t. Weight decay can be switched off per parameter (biases, norm gains) with the
// `decay` predicate. State (t and flat m, v per parameter name) round-trips through plain Float32Arrays for
// checkpoints, and a resumed run continues bit for bit.

import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, EngineError } from '../errors.ts';
import { ADAMW_KERNEL, type AdamWKernelAttrs } from './wasm-native.ts';

/** Learning rate as a function of the 1-based index t of the step about to be taken. */
export type LrSchedule = (step: number) => number;

/** Whether weight decay applies to a parameter, given its name and shape. */
export type DecayRule = (name: string, shape: readonly number[]) => boolean;

export interface AdamWOptions {
  lr: number | LrSchedule;
  betas?: readonly [number, number];
  eps?: number;
  /** Decoupled weight decay coefficient λ (PyTorch's default 0.01). */
  weightDecay?: number;
  /** Which parameters get weight decay; default: all (as PyTorch with one parameter group). */
  decay?: DecayRule;
}

/** Decay only parameters of rank >= 2: biases, LayerNorm gains and shifts get none. */
export const decayMatricesOnly: DecayRule = (_name, shape) => shape.length >= 2;

/** Decay every parameter whose name does not match `pattern`. */
export function decayExcept(pattern: RegExp): DecayRule {
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')); // stateless test()
  return (name) => !re.test(name);
}

export type ParamSet = ReadonlyMap<string, tf.Variable> | Readonly<Record<string, tf.Variable>>;
export type GradSet = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

/**
 * Everything needed to resume: the step count and, per parameter name, the two moments flattened in the
 * parameter's row-major order.
 */
export interface AdamWState {
  readonly step: number;
  readonly m: ReadonlyMap<string, Float32Array>;
  readonly v: ReadonlyMap<string, Float32Array>;
}

function entries<T>(set: ReadonlyMap<string, T> | Readonly<Record<string, T>>): [string, T][] {
  return set instanceof Map ? [...set.entries()] : Object.entries(set as Record<string, T>);
}

function lookup<T>(set: ReadonlyMap<string, T> | Readonly<Record<string, T>>, key: string): T | undefined {
  return set instanceof Map ? set.get(key) : (set as Record<string, T>)[key];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkRange(name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new ConfigError('adamw-option', `AdamW ${name} must be ${expected}, got ${value}`);
}

export class AdamW {
  /** The learning rate for the next step, or a schedule of the step index. Settable between steps. */
  lr: number | LrSchedule;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decayRule: DecayRule | undefined;
  private stepCount = 0;
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  /** Moments from setState not yet given their parameter's shape (that happens at the next step). */
  private readonly pending = new Map<string, { m: Float32Array; v: Float32Array }>();

  constructor(options: AdamWOptions) {
    this.lr = options.lr;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.decayRule = options.decay;
    checkRange('betas[0]', this.beta1, this.beta1 >= 0 && this.beta1 < 1, 'in [0, 1)');
    checkRange('betas[1]', this.beta2, this.beta2 >= 0 && this.beta2 < 1, 'in [0, 1)');
    checkRange('eps', this.eps, this.eps >= 0, '>= 0');
    checkRange('weightDecay', this.weightDecay, this.weightDecay >= 0, '>= 0');
    if (typeof this.lr === 'number') checkRange('lr', this.lr, this.lr >= 0 && Number.isFinite(this.lr), 'finite and >= 0');
  }

  /** Number of steps taken so far. */
  get steps(): number {
    return this.stepCount;
  }

  /** The learning rate the next `step` will use. */
  nextLr(): number {
    const t = this.stepCount + 1;
    const lr = typeof this.lr === 'function' ? this.lr(t) : this.lr;
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new ConfigError('adamw-lr', `AdamW learning rate for step ${t} must be finite and >= 0, got ${lr}`);
    }
    return lr;
  }

  /** Whether weight decay applies to this parameter. */
  decays(name: string, shape: readonly number[]): boolean {
    if (this.weightDecay === 0) return false;
    return this.decayRule === undefined || this.decayRule(name, shape);
  }

  /**
   * One AdamW step on every parameter in `params`. `grads` is keyed by the same names, or by the variables'
   * tfjs names (as `tf.variableGrads` returns). Every parameter needs a gradient of its shape. Returns the
   * learning rate used. Allocates no tensors that outlive the step (beyond m and v on the first step).
   */
  step(params: ParamSet, grads: GradSet): number {
    const list = entries(params);
    const plan: { name: string; p: tf.Variable; g: tf.Tensor }[] = [];
    for (const [name, p] of list) {
      const g = lookup(grads, name) ?? lookup(grads, p.name);
      if (g == null) {
        throw new EngineError('adamw-missing-grad', `AdamW.step: no gradient for parameter "${name}" (variable ${p.name})`);
      }
      if (!sameShape(g.shape, p.shape)) {
        throw new EngineError('adamw-grad-shape', `AdamW.step: gradient of "${name}" has shape [${g.shape}], parameter has [${p.shape}]`);
      }
      if (p.dtype !== 'float32') {
        throw new EngineError('adamw-dtype', `AdamW.step: parameter "${name}" has dtype ${p.dtype}; only float32 is supported`);
      }
      const st = this.moments.get(name);
      if (st && !sameShape(st.m.shape, p.shape)) {
        throw new EngineError('adamw-state-shape', `AdamW.step: optimizer state of "${name}" has shape [${st.m.shape}], parameter has [${p.shape}]`);
      }
      const pend = this.pending.get(name);
      if (pend && pend.m.length !== p.size) {
        throw new EngineError('adamw-state-shape', `AdamW.step: restored optimizer state of "${name}" has ${pend.m.length} values, parameter has ${p.size}`);
      }
      plan.push({ name, p, g });
    }
    const lr = this.nextLr();
    const t = this.stepCount + 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    for (const { name, p } of plan) {
      if (this.moments.has(name)) continue;
      const pend = this.pending.get(name);
      this.pending.delete(name);
      this.moments.set(name, {
        m: tf.tidy(() => tf.variable(pend ? tf.tensor(pend.m, p.shape, 'float32') : tf.zerosLike(p), false)),
        v: tf.tidy(() => tf.variable(pend ? tf.tensor(pend.v, p.shape, 'float32') : tf.zerosLike(p), false)),
      });
    }
    const fused = tf.getKernel(ADAMW_KERNEL, tf.getBackend()) != null;
    tf.tidy(() => {
      for (const { name, p, g } of plan) {
        const { m, v } = this.moments.get(name)!;
        const decays = this.decays(name, p.shape);
        const decayFactor = decays ? 1 - lr * this.weightDecay : 1;
        if (fused) {
          // One native kernel computes the same formula as the ops below (wasm-native.ts).
          const attrs: AdamWKernelAttrs = {
            decayFactor,
            beta1: b1,
            beta2: b2,
            bc2Sqrt,
            eps: this.eps,
            stepSize,
          };
          const [p1, m1, v1] = tf.engine().runKernel(ADAMW_KERNEL, { p, g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          m.assign(m1);
          v.assign(v1);
          p.assign(p1);
          continue;
        }
        const decayed = decays ? tf.mul(p, decayFactor) : p;
        const m1 = tf.add(m, tf.mul(tf.sub(g, m), 1 - b1));
        const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2Sqrt), this.eps);
        const p1 = tf.sub(decayed, tf.mul(tf.div(m1, denom), stepSize));
        m.assign(m1);
        v.assign(v1);
        p.assign(p1);
      }
    });
    this.stepCount = t;
    return lr;
  }

  /** A copy of the optimizer state in plain arrays (for checkpoints). */
  getState(): AdamWState {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const [name, st] of this.moments) {
      m.set(name, Float32Array.from(st.m.dataSync() as Float32Array));
      v.set(name, Float32Array.from(st.v.dataSync() as Float32Array));
    }
    for (const [name, st] of this.pending) {
      m.set(name, Float32Array.from(st.m));
      v.set(name, Float32Array.from(st.v));
    }
    return { step: this.stepCount, m, v };
  }

  /**
   * Replaces the optimizer state with a copy of `state`. Moments are matched to parameters by name at the
   * next step (which checks their lengths); parameters without saved moments start from zero.
   */
  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new EngineError('adamw-state', `AdamW state step must be an integer >= 0, got ${state.step}`);
    }
    const names = new Set([...state.m.keys(), ...state.v.keys()]);
    for (const name of names) {
      const m = state.m.get(name);
      const v = state.v.get(name);
      if (m === undefined || v === undefined || m.length !== v.length) {
        throw new EngineError(
          'adamw-state',
          `AdamW state of "${name}": needs m and v of equal length, got m ${m?.length ?? 'missing'} and v ${v?.length ?? 'missing'}`,
        );
      }
    }
    this.disposeMoments();
    for (const name of names) {
      this.pending.set(name, { m: Float32Array.from(state.m.get(name)!), v: Float32Array.from(state.v.get(name)!) });
    }
    this.stepCount = state.step;
  }

  /** Frees the moment tensors. The optimizer can still step afterwards (it starts from zero moments). */
  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
    this.pending.clear();
  }
}
