// Fuzz tests of the analysis library's input handling (short budget): every property of fuzz/properties.ts,
// which the long-budget script fuzz/run.ts (`npm run fuzz`) runs too. Every exported function must return
// only finite numbers or throw a typed AnalysisError — never NaN, never an exception from inside a library.
// @module-tag fuzz

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { FUZZ_TARGETS, fuzzProperty, uncoveredExports } from './fuzz/properties.ts';

describe(seedTitle('analysis fuzz: bad input gives typed errors, never NaN'), PROPERTY, () => {
  it('covers every function exported by src/analysis/index.ts', () => {
    expect(uncoveredExports()).toEqual([]);
  });

  for (const target of FUZZ_TARGETS) {
    it(target.name, () => {
      fc.assert(fuzzProperty(target), fcParams(150));
    });
  }
});
