// Run-config validation and overrides: unknown presets, sections and fields, and out-of-range values are
// ConfigErrors that name the key and what is accepted.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { getPreset, presetNames } from './presets.ts';
import { PAPER } from '../paper/registry.ts';
import { applyOverrides, parseOverride, runModelConfig, runObjective } from './config.ts';
import { drawTimes, runTimeLaw } from './run-data.ts';
import { rootRng } from '../engine/random.ts';

describe('presets', () => {
  it('every preset validates; paper-n1 follows the registry', () => {
    for (const name of presetNames()) expect(() => getPreset(name)).not.toThrow();
    const p = getPreset('paper-n1');
    expect(p.data.P).toBe(PAPER.modulus.value);
    expect(p.data.trainingRatio).toBe(PAPER.trainingRatio.value);
    expect(p.model.dModel).toBe(PAPER.dModel.value);
    expect(p.model.ffnWidth).toBe(PAPER.ffnWidth.value);
    expect(runModelConfig(p).P).toBe(23);
  });
  it('an unknown preset lists the available ones', () => {
    expect(() => getPreset('nope')).toThrow(/unknown preset "nope"; available: paper-n1, cpu-n1, cpu-n1-unordered, cpu-n1-r85/);
  });
});

describe('overrides', () => {
  const base = getPreset('cpu-n1');
  it('apply typed values', () => {
    const c = applyOverrides(base, ['train.lr=0.003', 'model.dModel=64', 'data.shuffleTargets=true'], { seed: 9 });
    expect(c.train.lr).toBe(0.003);
    expect(c.model.dModel).toBe(64);
    expect(c.data.shuffleTargets).toBe(true);
    expect(c.seed).toBe(9);
  });
  it.each([
    ['train.lr', /must look like section.field=value/],
    ['optim.lr=1', /unknown section "optim"/],
    ['train.learningRate=1', /unknown field "train.learningRate"; known: train.steps/],
    ['model.P=5', /unknown field "model.P"/],
  ])('"%s" is rejected', (text, message) => {
    expect(() => parseOverride(text)).toThrow(ConfigError);
    expect(() => parseOverride(text)).toThrow(message);
  });
  it.each([
    ['data.trainingRatio=1', /data.trainingRatio must be a number in \(0, 1\)/],
    ['data.trainingRatio=0', /data.trainingRatio must be a number in \(0, 1\)/],
    ['train.steps=-3', /train.steps must be an integer ≥ 1/],
    ['model.heads=5', /heads 5 does not divide dModel \d+/],
    ['model.patchSize=5', /imageSide 16 is not divisible by patchSize 5/],
    ['data.dataset="mnist"', /data.dataset must be one of "emnist", "k49", got "mnist"/],
  ])('"%s" fails validation', (text, message) => {
    expect(() => applyOverrides(base, [text])).toThrow(message);
  });
});

describe('objective and time-law fields (issue 27)', () => {
  const base = getPreset('cpu-n1-unordered');
  it('absent fields keep the x0 loss and U(0, 1): every existing config is unchanged', () => {
    expect(base.train.lossWeighting).toBeUndefined();
    expect(base.train.timeLaw).toBeUndefined();
    expect(runObjective(base.train)).toEqual({ lossWeighting: 'x0' });
    expect(runTimeLaw(base.train)).toEqual({ kind: 'uniform' });
  });
  it('velocity takes its clip from the registry unless given; explicit defaults are stored as absent', () => {
    const v = applyOverrides(base, ['train.lossWeighting=velocity']);
    expect(v.train.lossMinT).toBe(PAPER.lossWeighting.value.minT);
    expect(runObjective(v.train)).toEqual({ lossWeighting: 'velocity', minT: PAPER.lossWeighting.value.minT });
    expect(applyOverrides(base, ['train.lossWeighting=x0']).train).toEqual(base.train);
    expect(applyOverrides(base, ['train.timeLaw=uniform']).train).toEqual(base.train);
  });
  it('logit-normal takes SD3 defaults from the registry; its parameters are checked', () => {
    const ln = applyOverrides(base, ['train.timeLaw=logit-normal', 'train.timeScale=0.5']);
    expect(runTimeLaw(ln.train)).toEqual({ kind: 'logit-normal', location: PAPER.timeDistribution.value.logitNormal.location, scale: 0.5 });
    expect(() => applyOverrides(base, ['train.timeLaw=logit-normal', 'train.timeScale=0'])).toThrow(/timeScale must be a number in \(0, 5\)/);
  });
  it('a parameter without its option, an unknown value, or a clip of 0 is a ConfigError naming the field', () => {
    expect(() => applyOverrides(base, ['train.lossMinT=0.1'])).toThrow(/lossMinT applies only with train.lossWeighting = "velocity"/);
    expect(() => applyOverrides(base, ['train.timeLocation=0.5'])).toThrow(/apply only with train.timeLaw = "logit-normal"/);
    expect(() => applyOverrides(base, ['train.lossWeighting=eps'])).toThrow(/lossWeighting must be "x0" or "velocity"/);
    expect(() => applyOverrides(base, ['train.lossWeighting=velocity', 'train.lossMinT=0'])).toThrow(/lossMinT must be a number in \(0, 1\]/);
    expect(() => applyOverrides(base, ['model.inputConditioning=whiten'])).toThrow(/inputConditioning must be one of/);
  });
});

describe('drawTimes', () => {
  it('uniform draws exactly the stream every run before the option drew; logit-normal lies in (0, 1) around sigmoid(m)', () => {
    expect(Array.from(drawTimes({ kind: 'uniform' }, rootRng(7), 5))).toEqual(Array.from(rootRng(7).uniformArray(5)));
    const t = drawTimes({ kind: 'logit-normal', location: 1, scale: 0.1 }, rootRng(7), 2000);
    expect(t.every((x) => x > 0 && x < 1)).toBe(true);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    expect(mean).toBeCloseTo(1 / (1 + Math.exp(-1)), 1);
  });
});
