// AdamW against trajectories computed by hand in float64 from PyTorch's `_single_tensor_adamw`
// (torch/optim/adamw.py), written out below independently of the implementation; plain Adam (wd = 0),
// decoupled decay (wd > 0), a changing learning rate, eps placement, per-parameter decay exclusion, exact
// resume from getState/setState, constant tensor count over steps, and input errors. Runs on every backend.
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ALL_BACKENDS, describeWithBackends } from '../../test-support/backends.ts';
import { AdamW, decayExcept, decayMatricesOnly, type AdamWOptions } from './adamw.ts';
import { ConfigError, EngineError } from '../errors.ts';

/**
 * PyTorch AdamW, one parameter tensor, in float64 (torch/optim/adamw.py, _single_tensor_adamw):
 *   step_t += 1
 *   param.mul_(1 - lr * weight_decay)
 *   exp_avg.lerp_(grad, 1 - beta1)                       # m = m + (1-β1)(g - m)
 *   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
 *   bias_correction1 = 1 - beta1 ** step
 *   bias_correction2 = 1 - beta2 ** step
 *   step_size = lr / bias_correction1
 *   denom = (exp_avg_sq.sqrt() / sqrt(bias_correction2)).add_(eps)
 *   param.addcdiv_(exp_avg, denom, value=-step_size)
 * Returns the parameter after each step.
 */
function torchAdamW(
  p0: number[],
  grads: number[][],
  lrs: number[],
  { betas = [0.9, 0.999], eps = 1e-8, wd = 0.01 }: { betas?: [number, number]; eps?: number; wd?: number },
): number[][] {
  const [b1, b2] = betas;
  const p = [...p0];
  const m = p0.map(() => 0);
  const v = p0.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= grads.length; t++) {
    const lr = lrs[t - 1];
    const g = grads[t - 1];
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    for (let i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = m[i] + (1 - b1) * (g[i] - m[i]);
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + eps;
      p[i] -= (lr / bc1) * (m[i] / denom);
    }
    out.push([...p]);
  }
  return out;
}

const P0 = [0.5, -1.0, 2.0, 0.03];
const GRADS = [
  [0.1, -0.2, 0.3, 0.0004],
  [0.05, 0.1, -0.4, -0.0002],
  [-0.3, 0.02, 0.25, 0.0003],
  [0.2, -0.15, 0.0, 0.0001],
];

/** Runs the implementation on one parameter named `w` with the given gradients; returns p after each step. */
function runOurs(options: AdamWOptions, grads: number[][], lrs?: number[]): number[][] {
  const w = tf.variable(tf.tensor1d(P0));
  const opt = new AdamW(options);
  const out: number[][] = [];
  for (let t = 0; t < grads.length; t++) {
    if (lrs) opt.lr = lrs[t];
    const g = tf.tensor1d(grads[t]);
    opt.step(new Map([['w', w]]), new Map([['w', g]]));
    g.dispose();
    out.push(Array.from(w.dataSync()));
  }
  opt.dispose();
  w.dispose();
  return out;
}

function expectTrajectory(got: number[][], want: number[][]): void {
  expect(got).toHaveLength(want.length);
  for (let t = 0; t < want.length; t++) {
    for (let i = 0; i < want[t].length; i++) {
      // float32 arithmetic: a few ulps of |p| per step
      expect(Math.abs(got[t][i] - want[t][i]), `step ${t + 1}, element ${i}`).toBeLessThan(4e-7 * (1 + Math.abs(want[t][i])));
    }
  }
}

describeWithBackends('AdamW', ALL_BACKENDS, () => {
  it('first step of plain Adam moves every coordinate by lr against the sign of its gradient', () => {
    // t = 1: m = (1-β1)g, v = (1-β2)g², m/bc1 = g, sqrt(v/bc2) = |g|  ⇒  p1 = p0 - lr·g/(|g| + eps).
    const [p1] = runOurs({ lr: 0.01, weightDecay: 0 }, [GRADS[0]]);
    const want = P0.map((p, i) => p - (0.01 * GRADS[0][i]) / (Math.abs(GRADS[0][i]) + 1e-8));
    expect(p1[0]).toBeCloseTo(0.49, 6);
    expect(p1[1]).toBeCloseTo(-0.99, 6);
    for (let i = 0; i < P0.length; i++) expect(p1[i]).toBeCloseTo(want[i], 6);
  });

  it('plain Adam (wd = 0) follows the PyTorch trajectory over 4 steps', () => {
    expectTrajectory(runOurs({ lr: 0.01, weightDecay: 0 }, GRADS), torchAdamW(P0, GRADS, [0.01, 0.01, 0.01, 0.01], { wd: 0 }));
  });

  it('AdamW (wd = 0.1, custom betas) follows the PyTorch trajectory over 4 steps', () => {
    const opts = { betas: [0.8, 0.99] as [number, number], wd: 0.1 };
    expectTrajectory(runOurs({ lr: 0.05, betas: opts.betas, weightDecay: opts.wd }, GRADS), torchAdamW(P0, GRADS, [0.05, 0.05, 0.05, 0.05], opts));
  });

  it('a learning rate changed between steps, or given as a schedule of t, is used from that step on', () => {
    const lrs = [0.001, 0.002, 0.003, 0.004];
    const want = torchAdamW(P0, GRADS, lrs, { wd: 0.5 });
    expectTrajectory(runOurs({ lr: 0, weightDecay: 0.5 }, GRADS, lrs), want);
    expectTrajectory(runOurs({ lr: (t) => 0.001 * t, weightDecay: 0.5 }, GRADS), want);
  });

  it('adds eps after the bias correction of v (visible with a large eps)', () => {
    const eps = 0.05;
    expectTrajectory(runOurs({ lr: 0.1, eps, weightDecay: 0.01 }, GRADS), torchAdamW(P0, GRADS, [0.1, 0.1, 0.1, 0.1], { eps, wd: 0.01 }));
    // Torch's placement differs clearly from eps inside the square root or before the bias correction.
    const inside = P0[3] - (0.1 * GRADS[0][3]) / Math.sqrt(GRADS[0][3] ** 2 + eps);
    const [p1] = runOurs({ lr: 0.1, eps, weightDecay: 0 }, [GRADS[0]]);
    expect(Math.abs(p1[3] - inside)).toBeGreaterThan(1e-4);
  });

  it('excludes parameters from weight decay per name or shape', () => {
    const w = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    );
    const bias = tf.variable(tf.tensor1d([1, 2]));
    const gain = tf.variable(tf.tensor1d([1, 1]));
    const zeros = new Map<string, tf.Tensor>([
      ['w', tf.zeros([2, 2])],
      ['ln.bias', tf.zeros([2])],
      ['ln.gain', tf.zeros([2])],
    ]);
    const params = new Map<string, tf.Variable>([
      ['w', w],
      ['ln.bias', bias],
      ['ln.gain', gain],
    ]);
    // Zero gradients: m = v = 0, the Adam update is 0/(0 + eps) = 0, so only the decay moves p.
    new AdamW({ lr: 0.1, weightDecay: 0.5, decay: decayMatricesOnly }).step(params, zeros);
    expect(Array.from(w.dataSync())).toEqual(Array.from(Float32Array.from([1, 2, 3, 4].map((x) => x * 0.95))));
    expect(Array.from(bias.dataSync())).toEqual([1, 2]);
    new AdamW({ lr: 0.1, weightDecay: 0.5, decay: decayExcept(/\.gain$/g) }).step(params, zeros);
    expect(Array.from(bias.dataSync())).toEqual(Array.from(Float32Array.from([0.95, 1.9])));
    expect(Array.from(gain.dataSync())).toEqual([1, 1]);
    const opt = new AdamW({ lr: 0.1, weightDecay: 0.5, decay: (name) => name === 'w' });
    expect(opt.decays('w', [2, 2])).toBe(true);
    expect(opt.decays('ln.bias', [2])).toBe(false);
    expect(new AdamW({ lr: 0.1, weightDecay: 0 }).decays('w', [2, 2])).toBe(false);
    tf.dispose([w, bias, gain, ...zeros.values()]);
  });

  it('resumes bit for bit from getState/setState', () => {
    const init = [
      [0.3, -0.2],
      [0.7, 0.1],
    ];
    const gradAt = (t: number) =>
      tf.tensor2d([
        [Math.sin(t), Math.cos(t)],
        [0.1 * t, -0.05 * t],
      ]);
    const run = (steps: number, opt: AdamW, w: tf.Variable, from = 0) => {
      for (let t = from; t < from + steps; t++) {
        const g = gradAt(t);
        opt.step({ w }, { w: g });
        g.dispose();
      }
    };
    const options: AdamWOptions = { lr: (t) => 0.01 * Math.min(1, t / 3), weightDecay: 0.1 };
    const wA = tf.variable(tf.tensor2d(init));
    const a = new AdamW(options);
    run(6, a, wA);

    const wB = tf.variable(tf.tensor2d(init));
    const b = new AdamW(options);
    run(2, b, wB);
    const state = b.getState();
    expect(state.step).toBe(2);
    expect(state.m.get('w')).toBeInstanceOf(Float32Array);
    expect(state.m.get('w')).toHaveLength(4);
    const saved = Float32Array.from(wB.dataSync());
    b.dispose();
    wB.dispose();
    // A fresh process would rebuild the parameter from the checkpoint and the optimizer from its state.
    const wC = tf.variable(tf.tensor2d(saved, [2, 2]));
    const c = new AdamW(options);
    c.setState(state);
    expect(c.steps).toBe(2);
    expect(c.getState().v.get('w')).toEqual(state.v.get('w'));
    run(4, c, wC, 2);
    expect(Array.from(wC.dataSync())).toEqual(Array.from(wA.dataSync()));
    expect(c.getState().m.get('w')).toEqual(a.getState().m.get('w'));
    tf.dispose([wA, wC]);
    a.dispose();
    c.dispose();
  });

  it('keeps the number of live tensors constant from step to step', () => {
    const w1 = tf.variable(tf.randomNormal([8, 4]));
    const w2 = tf.variable(tf.randomNormal([4]));
    const params = { w1, w2 };
    const opt = new AdamW({ lr: 0.01 });
    const step = () => {
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(tf.add(tf.matMul(tf.ones([2, 8]), w1), w2))) as tf.Scalar, [w1, w2]);
      opt.step(params, grads); // keyed by the variables' tfjs names
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) step();
    expect(tf.memory().numTensors).toBe(after1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(after1 - 4);
    tf.dispose([w1, w2]);
  });

  it('rejects missing or mis-shaped gradients, bad state and bad options', () => {
    const w = tf.variable(tf.zeros([3]));
    const opt = new AdamW({ lr: 0.1 });
    expect(() => opt.step({ w }, {})).toThrow(EngineError);
    expect(() => opt.step({ w }, {})).toThrow(/no gradient for parameter "w"/);
    const g2 = tf.zeros([2]);
    expect(() => opt.step({ w }, { w: g2 })).toThrow(/gradient of "w" has shape \[2\], parameter has \[3\]/);
    expect(opt.steps).toBe(0);
    opt.setState({ step: 1, m: new Map([['w', new Float32Array(2)]]), v: new Map([['w', new Float32Array(2)]]) });
    const g3 = tf.zeros([3]);
    expect(() => opt.step({ w }, { w: g3 })).toThrow(/restored optimizer state of "w" has 2 values, parameter has 3/);
    expect(() => opt.setState({ step: -1, m: new Map(), v: new Map() })).toThrow(EngineError);
    expect(() => opt.setState({ step: 1, m: new Map([['w', new Float32Array(3)]]), v: new Map() })).toThrow(/needs m and v of equal length/);
    expect(() => new AdamW({ lr: 0.1, betas: [1, 0.999] })).toThrow(ConfigError);
    expect(() => new AdamW({ lr: -1 })).toThrow(/lr must be finite and >= 0/);
    expect(() => new AdamW({ lr: () => Number.NaN }).nextLr()).toThrow(/learning rate for step 1/);
    tf.dispose([w, g2, g3]);
    opt.dispose();
  });
});
