// The mechanism of a screen run (issue 27: "check that the mechanism that appears is the paper's"): the two
// N = 1 mechanism claims' own measurements applied to one model — selective frequencies (Sec. 4.1, Figure 3:
// the key set shared by the attention scores, the attention values and the FFN pre-GeLU at c, and how much of
// each tap's power it carries) and the trig identities of Table 3 at the top key frequency — with each claim's
// per-seed judgement. One reading per checkpoint, written beside the screen's judgement.

import type { LoadedRun } from '../eval/loaded-run.ts';
import { PAPER } from '../paper/registry.ts';
import { judgeFrequencies, measureFrequencies } from './defs/selective-frequencies.ts';
import { measureTrig } from './defs/trig-identities.ts';

export interface MechanismReading {
  readonly step: number;
  /** The judged block's key-frequency union and the least coverage among its three taps. */
  readonly keySet: readonly number[];
  readonly minCoverage: number;
  /** Whether selective-frequencies' per-seed rule holds on this model. */
  readonly frequenciesPass: boolean;
  /** The top key frequency Table 3's fit reads, and whether trig-identities' per-seed rule holds. */
  readonly trigKey: number;
  readonly trigPass: boolean;
  /** The trig claim's row at that frequency, as the claim records it. */
  readonly trigRow: unknown;
}

export function readMechanism(run: LoadedRun): MechanismReading {
  const seed = run.config.seed;
  const freq = measureFrequencies(run, seed);
  const trig = measureTrig(run, seed);
  return {
    step: run.step,
    keySet: freq.union,
    minCoverage: Math.min(...freq.coverage),
    frequenciesPass: judgeFrequencies([freq]).outcome === 'replicated',
    trigKey: (trig.key as { k: number }).k,
    trigPass: trig.pass,
    trigRow: trig.key,
  };
}

/** One table cell: "{2, 6} (coverage 0.88, pass); Table 3 at k = 6: pass — paper {1, 3, 7, 9}". */
export function describeMechanism(m: MechanismReading): string {
  const ok = (b: boolean): string => (b ? 'pass' : 'fail');
  return `key set {${m.keySet.join(', ')}} (least coverage ${m.minCoverage.toFixed(2)}, ${ok(m.frequenciesPass)}); Table 3 at k = ${m.trigKey}: ${ok(m.trigPass)} — paper {${PAPER.keyFrequencies.value.join(', ')}}`;
}
