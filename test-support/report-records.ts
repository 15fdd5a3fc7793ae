// Claim records for the report tests (issue 29), built from the golden files: each registered claim's
// measurement and control as its claim last measured them on the fixtures (golden/<id>.json), wrapped in a
// record with the claim's declaration, its registry rows, its known deviation, verdict summaries that state
// numbers, and a provenance entry (with a grok status) for every preset and seed the measurement names. So the
// report is rendered from measurements of the shape each claim writes today, without running a claim.
// `alterNumbers` changes every number of a record set (in values and inside strings) so that a test can
// check that every number the report prints follows its record.

import { CLAIMS } from '../src/claims/catalog.ts';
import { thresholdRows, type ClaimRecord, type ClaimTier, type ModelProvenance, type Outcome, type Verdict } from '../src/claims/contract.ts';
import { readGolden } from '../src/claims/golden.ts';

type GoldenPart = { measurement: unknown; control: unknown; outcome: Outcome; controlOutcome: Outcome | null };
type Golden = GoldenPart | { tiers: Record<string, GoldenPart> };

/** The (preset, seed) pairs a measurement names (objects with both fields), and the seeds it names alone. */
function namedModels(value: unknown, out: { pairs: Map<string, { preset: string; seed: number }>; seeds: Set<number> }): void {
  if (Array.isArray(value)) {
    for (const v of value) namedModels(v, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if (typeof o.seed === 'number' && Number.isInteger(o.seed)) {
    if (typeof o.preset === 'string') out.pairs.set(`${o.preset}/${o.seed}`, { preset: o.preset, seed: o.seed });
    else out.seeds.add(o.seed);
  }
  for (const v of Object.values(o)) namedModels(v, out);
}

function levelCheck(accuracy: number, pairs: number, level: number) {
  const correct = Math.round(accuracy * pairs * 8);
  return {
    correct,
    total: pairs * 8,
    accuracy: correct / (pairs * 8),
    interval: [Math.max(0, accuracy - 0.031), Math.min(1, accuracy + 0.027)] as [number, number],
    pairs,
    drawsPerPair: 8,
    level,
    decision: accuracy >= level ? ('at-level' as const) : ('below' as const),
  };
}

/** A provenance entry for a model of the fixtures (widths and accuracies made up, of the right shape). */
export function fixtureModel(preset: string, seed: number, index: number): ModelProvenance {
  const step = 8000 + 250 * index;
  const train = levelCheck(0.9375 + 0.0125 * (index % 3), 476, 0.99);
  const novel = levelCheck(0.3125 + 0.0625 * (index % 4), 9, 0.95);
  const heldout = levelCheck(0.8125 + 0.0208 * (index % 5), 53, 0.95);
  return {
    preset,
    seed,
    step,
    source: `fixture fixtures/checkpoints/${preset}/seed-${seed}`,
    dModel: 64 + 64 * (index % 2),
    ffnWidth: 256,
    imageSide: 16,
    depth: 1 + (index % 2),
    preAttentionFfn: index % 3 === 0,
    P: 23,
    N: 1 + 3 * (index % 2),
    split: 'ordered',
    grok: {
      step,
      K: 50,
      train,
      heldout,
      novel,
      grokked: false,
      summary: `did not grok at step ${step} (K = 50): novel held-out ${(100 * novel.accuracy).toFixed(1)} % below its level`,
    },
  };
}

function verdictFor(outcome: Outcome, what: string, n: number): Verdict {
  const value = (0.3 + 0.0917 * n).toFixed(3);
  const summary =
    outcome === 'not-evaluated'
      ? `${what}: not evaluated, ${n % 3} of 3 seeds grokked (seed ${1 + (n % 3)} at step ${7000 + 50 * n})`
      : `${what}: measured ${value} against the level 0.8 on seeds 1-3`;
  return { outcome, summary, ...(outcome === 'not-evaluated' ? {} : { keyNumber: value }) };
}

/** One record per registered claim that has a golden file, in the catalog's order. */
export function goldenRecords(): ClaimRecord[] {
  const records: ClaimRecord[] = [];
  let n = 0;
  for (const claim of CLAIMS) {
    const d = claim.declaration;
    const golden = readGolden(d.id) as Golden | null;
    if (golden === null) continue;
    const deviation = claim.knownDeviation;
    const parts: Array<{ tier: ClaimTier['tier'] | null; preset: string; part: GoldenPart }> =
      'tiers' in golden
        ? Object.entries(golden.tiers).map(([key, part]) => {
            const [tier, preset] = key.split(' ');
            return { tier: tier as ClaimTier['tier'], preset, part };
          })
        : [{ tier: null, preset: 'fixture-preset', part: golden }];
    const built = parts.map(({ tier, preset, part }) => {
      n++;
      const named = { pairs: new Map<string, { preset: string; seed: number }>(), seeds: new Set<number>() };
      namedModels(part.measurement, named);
      namedModels(part.control, named);
      const list = [
        ...named.pairs.values(),
        ...[...named.seeds].filter((s) => ![...named.pairs.values()].some((p) => p.seed === s)).map((seed) => ({ preset, seed })),
      ];
      const models = (list.length > 0 ? list : [1, 2, 3].map((seed) => ({ preset, seed }))).map((m, i) => fixtureModel(m.preset, m.seed, n + i));
      const where = tier ? `${tier} (${preset})` : d.id;
      return {
        tier,
        preset,
        verdict: verdictFor(part.outcome, where, n),
        measurement: part.measurement,
        control: {
          description: d.negativeControl,
          verdict: verdictFor(part.controlOutcome ?? 'not-evaluated', `control of ${where}`, n + 5),
          measurement: part.control,
        },
        models,
        excluded:
          part.outcome === 'not-evaluated' && models.length > 0
            ? [{ model: models[0], reason: `did not grok: novel held-out below 95 % at step ${models[0].step}` }]
            : [],
      };
    });
    const top = built[0];
    records.push({
      id: d.id,
      kind: d.kind,
      title: d.title,
      statement: d.statement,
      where: d.where,
      thresholds: thresholdRows(d.thresholds),
      verdict: top.verdict,
      measurement: top.measurement,
      control: top.control,
      models: top.models,
      ...(top.excluded.length > 0 ? { excluded: top.excluded } : {}),
      ...(top.tier
        ? {
            tiers: built.map((b) => ({
              tier: b.tier as ClaimTier['tier'],
              preset: b.preset,
              verdict: b.verdict,
              measurement: b.measurement,
              control: b.control,
              models: b.models,
              excluded: b.excluded,
            })),
          }
        : {}),
      knownDeviation: deviation ? { reason: deviation.reason, registryEntry: deviation.registryEntry } : false,
      createdAt: '2026-12-01T12:00:00.000Z',
    });
  }
  return records;
}

/** Fields whose strings are identifiers or one of a fixed set of words (decoded as literals): never altered. */
const KEEP_STRINGS = new Set([
  'id',
  'kind',
  'outcome',
  'tier',
  'split',
  'decision',
  'definition',
  'rule',
  'createdAt',
  'registryEntry',
  'key',
  'judgedReading',
  'reading',
]);

/** Two different alterations: a number typed by hand stays the same under both, a number from the record changes under at least one. */
export type Alteration = 1 | 2;

/**
 * A different number of the same kind: integers move by 7 (alteration 1) or 11 (2); other numbers are scaled and
 * shifted by an amount that differs from number to number (`k`: its place in the record), so that neither a
 * number nor a difference of two keeps its printed form (a coincidence under one alteration is not one under both).
 */
export function alterNumber(x: number, k = 0, alteration: Alteration = 1): number {
  if (!Number.isFinite(x)) return x;
  if (Number.isInteger(x)) return x + (alteration === 1 ? 7 : 11);
  return alteration === 1 ? x / 2 + 0.0123 + 0.0011 * (k % 89) : x * 0.37 + 0.0456 + 0.0017 * (k % 83);
}

/** Every digit run inside a string moved (integers by 7 or 11; a decimal by 7 or 3 units of its last place, printed with as many decimals). */
export function alterDigits(text: string, alteration: Alteration = 1): string {
  return text.replace(/\d+(?:\.\d+)?/g, (m) => {
    if (!m.includes('.')) return String(Number(m) + (alteration === 1 ? 7 : 11));
    const decimals = m.split('.')[1].length;
    return (Number(m) + (alteration === 1 ? 7 : 3) * 10 ** -decimals).toFixed(decimals);
  });
}

/** A deep copy of `value` with every number altered (alterNumber) and the digits of every free-text string (alterDigits). */
export function alterNumbers<T>(value: T, alteration: Alteration = 1, key = '', counter = { k: 0 }): T {
  if (typeof value === 'number') return alterNumber(value, counter.k++, alteration) as T;
  if (typeof value === 'string') return (KEEP_STRINGS.has(key) ? value : alterDigits(value, alteration)) as T;
  if (Array.isArray(value)) return value.map((v) => alterNumbers(v, alteration, key, counter)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, alterNumbers(v, alteration, k, counter)])) as T;
  }
  return value;
}
