// The claim contract (after SciUnit): a paper claim is declared once with the paper's sentence and where it
// stands, the registry thresholds it uses, a measurement and a judgement with three outcomes. "Not
// evaluated" (a missing checkpoint, an unavailable backend) is its own outcome, never a pass or a failure.
// Every claim also names a negative control: an input where the claim must NOT hold, and the spec asserts
// that the judgement rejects it (a check that cannot fail is a defect).

import type { GrokStatus } from '../eval/grok-status.ts';
import { PAPER, type PaperKey, type PaperParam } from '../paper/registry.ts';

export type Outcome = 'replicated' | 'not-replicated' | 'not-evaluated';

export interface Verdict {
  readonly outcome: Outcome;
  /** One line for people: what was measured against what level. */
  readonly summary: string;
  /** The headline number for the badge (e.g. "lag 3.1x", "FVE 0.97"). */
  readonly keyNumber?: string;
}

/**
 * Where a claim comes from: `paper` — the authors' text states it (../shared/paper/public-text.txt, authors'
 * parts); `reviewer-requested` — the paper's text does not contain it, a review asks for it (e.g. the
 * key-frequency ablation: the referee report asks for it, the site's simulated rebuttal promises it).
 */
export type ClaimKind = 'paper' | 'reviewer-requested';

export interface ClaimDeclaration {
  /** Stable identifier, also the spec file name (claims/<id>.spec.ts). */
  readonly id: string;
  /** Whether the paper's text states the claim or a review asks for it (shown in the report and on the badge). */
  readonly kind: ClaimKind;
  readonly title: string;
  /** The paper's observation, in its words as far as the public summary gives them. */
  readonly statement: string;
  /** Where it stands in the paper: section, figure, table. */
  readonly where: string;
  /** Registry entries the claim reads its thresholds from. */
  readonly thresholds: readonly PaperKey[];
  /** What the negative control is and why the claim must not hold there. */
  readonly negativeControl: string;
  /**
   * `grokked`: a claim about a grokked model's mechanism, judged only on the seeds whose judged checkpoint grokked
   * (train and novel held-out accuracy at their levels, eval/grok-status.ts) and only with at least
   * PAPER.minGrokkedSeeds of them; the other seeds are reported as excluded with their numbers.
   */
  readonly precondition?: 'grokked';
}

/** A model a verdict was judged on (or excluded from it): what it is, where it came from, whether it grokked. */
export interface ModelProvenance {
  readonly preset: string;
  readonly seed: number;
  readonly step: number;
  /** fixture / cache / trained, and the run folder. */
  readonly source: string;
  readonly dModel: number;
  readonly ffnWidth: number;
  readonly imageSide: number;
  readonly depth: number;
  readonly preAttentionFfn: boolean;
  readonly P: number;
  readonly N: number;
  readonly split: 'ordered' | 'unordered';
  /** Train / novel / all held-out accuracy at K = 50 with Wilson intervals (eval/grok-status.ts). */
  readonly grok: GrokStatus;
}

/** A model left out of a verdict, and why (with its numbers). */
export interface ExcludedModel {
  readonly model: ModelProvenance;
  readonly reason: string;
}

/** A claim's negative control in its record: what it is, its verdict, and what was measured on it (C). */
export interface ClaimControl<C = unknown> {
  readonly description: string;
  readonly verdict: Verdict;
  readonly measurement: C | null;
}

/** One tier of a claim: the paper-width models, or the reduced (CPU-width) ones, each judged on its own. */
export interface ClaimTier<M = unknown, C = unknown> {
  readonly tier: 'paper-width' | 'reduced';
  readonly preset: string;
  readonly verdict: Verdict;
  readonly measurement: M | null;
  readonly control: ClaimControl<C> | null;
  readonly models: readonly ModelProvenance[];
  readonly excluded: readonly ExcludedModel[];
}

/**
 * What a claim's evaluation gives (reports/claims/<id>.json): its declaration, the verdict, the measurement (M,
 * null when nothing was measured) and the negative control's (C). Read back by the report through the
 * claim's decoders (claim.ts), so a measurement is typed wherever it is read.
 */
export interface ClaimRecord<M = unknown, C = unknown> {
  readonly id: string;
  readonly kind: ClaimKind;
  readonly title: string;
  readonly statement: string;
  readonly where: string;
  readonly thresholds: ReadonlyArray<ThresholdRow>;
  readonly verdict: Verdict;
  readonly measurement: M | null;
  readonly control: ClaimControl<C> | null;
  /** The models the verdict was judged on (verdict provenance): preset, width, image side, depth, seed, step, grok status. */
  readonly models: readonly ModelProvenance[];
  /** Models provided but left out of the verdict (a precondition they do not meet), with the reason. */
  readonly excluded?: readonly ExcludedModel[];
  /** For claims judged at two widths: each tier's verdict; the record's own verdict is the paper-width tier's. */
  readonly tiers?: readonly ClaimTier<M, C>[];
  /**
   * Whether the claim's module declares that our models do not replicate it (claim.ts KnownDeviation): false, or
   * the reason and the registry entry the deviation rests on. A CI badge tells a declared deviation from a new
   * failure by this field. Absent in records written before it existed.
   */
  readonly knownDeviation?: KnownDeviationRecord | false;
  readonly createdAt: string;
}

/** A declared known deviation as a record carries it. */
export interface KnownDeviationRecord {
  /** Why our models do not replicate the claim (prose: what deviates and why; the numbers are in the record). */
  readonly reason: string;
  /** The registry entry (one of the claim's thresholds) the deviation rests on. */
  readonly registryEntry: string;
}

/** A registry threshold as the record shows it. */
export interface ThresholdRow {
  readonly key: string;
  readonly value: unknown;
  readonly provenance: string;
  readonly verified: boolean;
  /**
   * The registry's word on it: the authors' quote and where it stands (verified), or why it is unverified (with
   * any quote kept as evidence). Absent in records written before it existed.
   */
  readonly evidence?: string;
}

export function notEvaluated(reason: string): Verdict {
  return { outcome: 'not-evaluated', summary: reason };
}

export function verdict(pass: boolean, summary: string, keyNumber?: string): Verdict {
  return { outcome: pass ? 'replicated' : 'not-replicated', summary, ...(keyNumber ? { keyNumber } : {}) };
}

/** The registry's word on an entry: the authors' quote of a verified value, or why a value is unverified (with any quote as evidence). */
export function thresholdEvidence(key: PaperKey): string {
  const p = PAPER[key] as PaperParam<unknown>;
  const quoted = p.quote ? `"${p.quote.text}" (${p.quote.where})` : '';
  if (p.verified) return quoted;
  return `unverified: ${p.unverifiedBecause ?? 'not checked'}${quoted ? `; evidence: ${quoted}` : ''}`;
}

/** The registry rows of a claim's thresholds, for the record and the report. */
export function thresholdRows(keys: readonly PaperKey[]): ClaimRecord['thresholds'] {
  return keys.map((key) => {
    const p = PAPER[key];
    return { key, value: p.value, provenance: p.provenance, verified: p.verified, evidence: thresholdEvidence(key) };
  });
}

/**
 * The value of registry entry `key` as a record's thresholds hold it, or undefined when the record has no such
 * row: what a report section prints (a level, the paper's own numbers), so the report states the values the
 * claim was judged by, from the record.
 */
export function recordedThreshold<K extends PaperKey>(rec: Pick<ClaimRecord, 'thresholds'>, key: K): (typeof PAPER)[K]['value'] | undefined {
  // A record's thresholds are written from the registry (thresholdRows) and read back as JSON of the same shape.
  return rec.thresholds.find((t) => t.key === key)?.value as (typeof PAPER)[K]['value'] | undefined;
}
