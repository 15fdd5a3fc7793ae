// Run-config validation and overrides: unknown presets, sections and fields, and out-of-range values are
// ConfigErrors that name the key and what is accepted.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { getPreset, presetNames } from './presets.ts';
import { PAPER } from '../paper/registry.ts';
import { applyOverrides, parseOverride, runModelConfig } from './config.ts';

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
