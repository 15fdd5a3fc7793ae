// Run-config validation and overrides: unknown presets, sections and fields, and out-of-range values are
// ConfigErrors that name the key and what is accepted.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { getPreset, presetNames } from './presets.ts';
import { PAPER } from '../paper/registry.ts';
import {
  applyOverrides,
  MAX_EVAL_PASSES,
  MAX_PARAMETERS,
  MAX_STEPS,
  MAX_TENSOR_VALUES,
  parseOverride,
  runModelConfig,
  runObjective,
  runSizes,
  validateRunConfig,
} from './config.ts';
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
    ['train.steps=-3', /train.steps must be an integer from 1 to /],
    ['model.heads=5', /heads 5 does not divide dModel \d+/],
    ['model.patchSize=5', /imageSide 16 is not divisible by patchSize 5/],
    ['data.dataset="mnist"', /data.dataset must be one of "emnist", "k49", got "mnist"/],
  ])('"%s" fails validation', (text, message) => {
    expect(() => applyOverrides(base, [text])).toThrow(message);
  });
});

describe('ranges: what fits in memory and time (issue 31)', () => {
  const base = getPreset('cpu-n1');
  it.each([
    // Number.isInteger(1e20) is true: a step budget of 10^20 used to pass.
    ['train.steps=1e20', /train\.steps must be an integer from 1 to \d+ \(100 × the paper-width budget/],
    ['train.warmupSteps=1e20', /train\.warmupSteps must be an integer from 0 to /],
    ['train.evalEvery=1e17', /train\.evalEvery must be an integer from 1 to /],
    ['train.checkpointEvery=9007199254740993', /train\.checkpointEvery must be an integer from 1 to /],
    ['train.stopAfterGrokEvals=1e16', /train\.stopAfterGrokEvals must be an integer from 0 to /],
    // evalDraws = 1e9 crashed later with "invalid typed array length"; samplingSteps = 1e12 never ended its first evaluation.
    ['train.evalDraws=1000000000', /train\.evalDraws must be an integer from 1 to 256/],
    ['train.samplingSteps=1000000000000', /train\.samplingSteps must be an integer from 1 to 10000/],
    // AdamW divides by 1 − β^t: β = 1 was refused only by AdamW, after config.json was written.
    ['train.beta1=1', /train\.beta1 must be a number in \[0, 1\)/],
    ['train.beta2=1', /train\.beta2 must be a number in \[0, 1\)/],
  ])('"%s" is refused with the range', (text, message) => {
    expect(() => applyOverrides(base, [text])).toThrow(ConfigError);
    expect(() => applyOverrides(base, [text])).toThrow(message);
  });
  it('the sizes a config implies are refused by what they need, naming the fields', () => {
    const tooBig = (over: string[]) => () => applyOverrides(base, over);
    expect(tooBig(['model.dModel=65536', 'model.ffnWidth=65536'])).toThrow(/the model has \d+ parameters .* above the \d+ that fit in memory/);
    expect(tooBig(['data.N=10000000'])).toThrow(/data\.P 23 × data\.N 10000000 symbol images .* above the \d+ that fit in one tensor/);
    expect(tooBig(['data.P=100000'])).toThrow(/a training step over up to data\.P² = 10000000000 pairs/);
    expect(tooBig(['train.evalDraws=256', 'model.ffnWidth=8192'])).toThrow(
      /an evaluation batch of .* train\.evalDraws 256 .* \(at most \d+ draws fit this model\)/,
    );
    expect(tooBig(['train.evalDraws=256', 'train.samplingSteps=10000'])).toThrow(
      /one evaluation would make train\.samplingSteps 10000 × train\.evalDraws 256 × data\.P² 529 = \d+ model passes, above/,
    );
    // A depth of 10^9 would make a list of 10^10 parameter specs before anything could be counted.
    expect(tooBig(['model.depth=1000000000'])).toThrow(/model\.depth 1000000000 is above 64 blocks/);
    expect(tooBig(['train.steps=1e20'])).toThrow(ConfigError);
  });
  it('every preset fits with room: the limits are multiples of the paper (registry), not of our presets', () => {
    for (const name of presetNames()) {
      const s = runSizes(getPreset(name));
      expect(s.parameters, name).toBeLessThan(MAX_PARAMETERS / 10);
      expect(s.evalExamples * s.valuesPerExample, name).toBeLessThan(MAX_TENSOR_VALUES / 10);
      expect(s.evalPasses, name).toBeLessThan(MAX_EVAL_PASSES / 10);
      expect(getPreset(name).train.steps, name).toBeLessThan(MAX_STEPS / 10);
    }
    expect(MAX_STEPS).toBe(100 * PAPER.paperWidthTraining.value.steps);
    expect(MAX_EVAL_PASSES).toBe(1000 * PAPER.samplingSteps.value * PAPER.modulus.value ** 2);
  });
  it('a checkpoint config out of range is refused on load too (validateRunConfig)', () => {
    const raw = JSON.parse(JSON.stringify(base)) as { train: Record<string, unknown> };
    raw.train.samplingSteps = 1e12;
    expect(() => validateRunConfig(raw, 'state.json (config)')).toThrow(/state\.json \(config\): train\.samplingSteps must be an integer from 1 to 10000/);
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
