// Claim: selective frequencies (paper Sec. 4.1, Figure 3). In the attention scores (query c, key a), the
// attention values at c and the FFN pre-GeLU at c, a few key frequencies carry most of the Fourier variance over
// the (a, b) grid, and it is the same few across these taps. Measured at t = 1 (pure noise: the step where the
// model computes the sum) with one shared noise image, in every block. Per tap (src/claims/key-frequencies.ts):
// FVE_k = the share of the tap's total power in frequency k's own components (1-D terms and same-k products;
// Figure 3: "the proportion of total power attributed to each frequency's Fourier coefficients"); the
// cross-frequency products are reported apart as the tap's cross share, never split between frequencies; key
// set by PAPER.keyFrequencyRule on the power attributed to single frequencies. Judged on the last block (depth 1:
// the only block; depth 2: the block whose FFN computes the sum — its attention and FFN), the other blocks are
// reported. Replicated per seed when the union U of the judged block's three key sets has at most maxCount
// frequencies and, in every tap, the components whose frequencies all lie in U (U's own terms plus the cross
// products between two frequencies of U) carry ≥ cumulativeLevel of the total power; the claim needs every
// seed. The identity of the set is reported next to the paper's {1, 3, 7, 9} (it may depend on the seed; under
// k ↔ P − k and relabelling of symbols it is not comparable across runs anyway).
// Negative control: the untrained model of each seed (random features spread over all frequencies).

import { gridActivations, type GridView } from '../../eval/grid-activations.ts';
import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../eval/loaded-run.ts';
import { barChart } from '../../plot/plot.ts';
import { defineClaim, type ClaimModule, type ReportBlock, type ReportSection, type KnownDeviation } from '../claim.ts';
import { eachRun, eachUntrained } from '../claim-runner.ts';
import { verdict, type ClaimDeclaration, type ClaimRecord, type Verdict } from '../contract.ts';
import { array, boolean, number, object, string, type Decoder, type Fields } from '../decode.ts';
import { GRID_NOISE_SEED } from '../setup.ts';
import { blocksOf, judgedBlock, setCoverage, tapSpectrum } from '../key-frequencies.ts';

export const declaration: ClaimDeclaration = {
  id: 'selective-frequencies',
  // Appendix: "four specific frequencies–w1, w3, w7, and w9– within the self-attention blocks"; at the FFN pre-GeLU "the selective frequencies shared throughout the preceding SA block".
  kind: 'paper',
  title: 'Selective frequencies shared across taps (N = 1)',
  statement: 'A few key frequencies carry most of the Fourier variance, shared from attention to the FFN.',
  where: 'Sec. 4.1, Figure 3; key frequencies w1, w3, w7, w9 for P = 23',
  thresholds: ['keyFrequencyRule', 'keyFrequencies', 'fveDefinition'],
  negativeControl: 'the untrained model of each seed (its features spread over all frequencies)',
  // A claim about a grokked model's mechanism: judged only on seeds that grokked on the novel pairs (claims/provenance.ts).
  precondition: 'grokked',
};

/** The three taps of block l the claim reads. */
export function frequencyTaps(block: number): ReadonlyArray<{ label: string; tap: string; view: GridView }> {
  return [
    { label: 'attention scores (query c, key a)', tap: `block${block}.attn.scores`, view: { kind: 'scores-c', key: 'a' } },
    { label: 'attention values at c', tap: `block${block}.attn.z`, view: { kind: 'heads-c' } },
    { label: 'FFN pre-GeLU at c', tap: `block${block}.ffn.pre`, view: { kind: 'token-c' } },
  ];
}

/** Block 0's taps (kept for callers that name them). */
export const FREQUENCY_TAPS = frequencyTaps(0);

export interface TapFrequencies {
  readonly label: string;
  readonly tap: string;
  /** FVE_k: share of the tap's total power per frequency k = 1..K (index k−1), cross products excluded. */
  readonly shares: number[];
  /** Share of the total power in cross-frequency products (attributed to no frequency). */
  readonly crossShare: number;
  readonly keySet: number[];
  /** Σ FVE_k over the key set (a share of the total power). */
  readonly explained: number;
}

export interface BlockFrequencies {
  readonly block: number;
  readonly taps: TapFrequencies[];
  readonly union: number[];
  /** Per tap: share of its total power in components whose frequencies all lie in the union (own terms + cross products inside it). */
  readonly coverage: number[];
  /** Per tap: the union's own terms only (Σ_{k ∈ U} FVE_k). */
  readonly ownCoverage: number[];
  /** Per tap: cross products with a frequency outside the union. */
  readonly crossOutside: number[];
  readonly pass: boolean;
}

export interface SeedFrequencies extends BlockFrequencies {
  readonly seed: number;
  readonly step: number;
  readonly depth: number;
  /** Every block, judged or not (the judged one is `block`). */
  readonly blocks: BlockFrequencies[];
}

function measureBlock(run: LoadedRun, block: number): BlockFrequencies {
  const P = run.model.P;
  const rule = PAPER.keyFrequencyRule.value;
  const spec = frequencyTaps(block);
  const acts = [
    ...gridActivations(
      run,
      spec.map((t) => ({ tap: t.tap, view: t.view })),
      { t: 1, noiseSeed: GRID_NOISE_SEED },
    ).values(),
  ];
  const spectra = acts.map((g) => tapSpectrum(g.valuesByPair, P, g.units));
  const taps = spec.map((t, i) => {
    const s = spectra[i];
    return {
      label: t.label,
      tap: t.tap,
      shares: Array.from(s.byFrequency).slice(1),
      crossShare: s.crossFrequency,
      keySet: [...s.selection.frequencies],
      explained: s.selection.explained,
    };
  });
  const union = [...new Set(taps.flatMap((t) => t.keySet))].sort((a, b) => a - b);
  const covers = spectra.map((s) => setCoverage(s, union));
  const coverage = covers.map((c) => c.covered);
  const pass = union.length <= rule.maxCount && coverage.every((c) => c >= rule.cumulativeLevel);
  return { block, taps, union, coverage, ownCoverage: covers.map((c) => c.own), crossOutside: covers.map((c) => c.crossOutside), pass };
}

export function measureFrequencies(run: LoadedRun, seed: number): SeedFrequencies {
  const blocks = blocksOf(run).map((l) => measureBlock(run, l));
  const judged = blocks[judgedBlock(run)];
  return { seed, step: run.step, depth: run.model.depth, ...judged, blocks };
}

export function judgeFrequencies(perSeed: readonly SeedFrequencies[]): Verdict {
  const rule = PAPER.keyFrequencyRule.value;
  const failing = perSeed.filter((s) => !s.pass);
  const sets = perSeed
    .map((s) => `seed ${s.seed} block ${s.block}: {${s.union.join(', ')}}, cross share ${s.taps.map((t) => t.crossShare.toFixed(2)).join('/')}`)
    .join('; ');
  const minCoverage = Math.min(...perSeed.map((s) => Math.min(...s.coverage)));
  return verdict(
    failing.length === 0,
    `shared key set ≤ ${rule.maxCount} frequencies whose components carry ≥ ${rule.cumulativeLevel} of each tap's power (last block; cross products reported apart, ` +
      `counted only between two key frequencies) in ${perSeed.length - failing.length}/${perSeed.length} seeds (${sets}; min coverage ${minCoverage.toFixed(2)}; ` +
      `paper: {${PAPER.keyFrequencies.value.join(', ')}})`,
    `${perSeed.map((s) => s.union.length).join('/')} key freqs`,
  );
}

const tapFrequencies = object<TapFrequencies>({
  label: string,
  tap: string,
  shares: array(number),
  crossShare: number,
  keySet: array(number),
  explained: number,
});
const blockFields: Fields<BlockFrequencies> = {
  block: number,
  taps: array(tapFrequencies),
  union: array(number),
  coverage: array(number),
  ownCoverage: array(number),
  crossOutside: array(number),
  pass: boolean,
};
export const seedFrequencies: Decoder<SeedFrequencies> = object<SeedFrequencies>({
  ...blockFields,
  seed: number,
  step: number,
  depth: number,
  blocks: array(object<BlockFrequencies>(blockFields)),
});

/**
 * The report section (Figure 3): FVE_k per tap of the judged block with the cross-frequency share as its own
 * bar (no cross product is split between frequencies), and per seed and block the key sets, cross shares and
 * the coverage of the union (own terms + cross products inside it).
 */
export function selectiveFrequenciesSection(rec: ClaimRecord<SeedFrequencies[]>): ReportSection {
  const seeds = rec.measurement ?? [];
  if (seeds.length === 0) return [];
  const fm = seeds[0];
  const rows = fm.taps.flatMap((t) => [
    ...t.shares.map((v, i) => ({ label: `w${i + 1}`, value: v, group: t.label })),
    { label: 'cross', value: t.crossShare, group: t.label },
  ]);
  const md: ReportBlock[] = [
    {
      file: 'fve-per-tap.png',
      alt: 'FVE per tap',
      shows: [{ seed: fm.seed }],
      draw: () =>
        barChart(rows, {
          title: `FVE per frequency at t = 1, seed ${fm.seed}, block ${fm.block} (cross-frequency products apart)`,
          xTitle: 'frequency',
          yTitle: 'share of total power',
        }),
    },
    '',
    "**Key frequencies per tap (Figure 3; FVE_k = share of total power in frequency k's own terms, cross-frequency products reported apart)**",
    '',
    '| seed | block | tap | key set | Σ key FVE_k | cross share | union | union coverage (own + cross inside) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of seeds) {
    for (const b of s.blocks) {
      const judged = b.block === s.block ? ' (judged)' : '';
      b.taps.forEach((t, i) => {
        const explained = t.keySet.reduce((acc, k) => acc + (t.shares[k - 1] ?? 0), 0);
        md.push(
          `| ${s.seed} | ${b.block}${judged} | ${t.label} | {${t.keySet.join(', ')}} | ${explained.toFixed(3)} | ${t.crossShare.toFixed(3)} | {${b.union.join(', ')}} | ` +
            `${b.coverage[i].toFixed(3)} (${b.ownCoverage[i].toFixed(3)} + ${(b.coverage[i] - b.ownCoverage[i]).toFixed(3)}) |`,
        );
      });
    }
  }
  return md;
}

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'the FFN pre-GeLU, attention values and attention scores share a small set of key frequencies, but in at least one judged seed the ' +
    'components inside that set do not carry the share of the FFN pre-GeLU power the rule asks for, now that cross-frequency products are ' +
    'reported apart instead of split between their frequencies. Which seed misses the level, and by how much, is in the verdict and the table.',
  registryEntry: 'keyFrequencyRule',
};

export const selectiveFrequenciesClaim: ClaimModule<SeedFrequencies[]> = {
  declaration,
  knownDeviation,
  models: { kind: 'n1-tiers' },
  measure: eachRun(measureFrequencies),
  judge: judgeFrequencies,
  control: { measure: eachUntrained(measureFrequencies), judge: judgeFrequencies },
  parseMeasurement: array(seedFrequencies),
  parseControl: array(seedFrequencies),
  report: { section: selectiveFrequenciesSection },
};

export const claim = defineClaim(selectiveFrequenciesClaim);
