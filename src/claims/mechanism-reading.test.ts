// The mechanism reading of a screen run (issue 27): its one-line description names the key set, the coverage,
// both claims' per-seed outcomes and the paper's set (read from the registry).
import { describe, expect, it } from 'vitest';
import { PAPER } from '../paper/registry.ts';
import { describeMechanism } from './mechanism-reading.ts';

describe('describeMechanism', () => {
  it('names the key set, the least coverage, each claim rule and the paper set', () => {
    const text = describeMechanism({ step: 10, keySet: [2, 6], minCoverage: 0.876, frequenciesPass: true, trigKey: 6, trigPass: false, trigRow: {} });
    expect(text).toBe(`key set {2, 6} (least coverage 0.88, pass); Table 3 at k = 6: fail — paper {${PAPER.keyFrequencies.value.join(', ')}}`);
  });
});
