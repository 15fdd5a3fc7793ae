// A claim module (DESIGN "The claim contract"): each paper claim is one module, src/claims/defs/<id>.ts, that
// declares the claim (contract.ts: the paper's sentence, where it stands, thresholds, precondition), the models
// it is judged on, `measure` → its typed measurement M, `judge` → the verdict, its negative control (measured
// into a C and judged: it must be rejected), the decoders that read M and C back from a record, and its report
// section (tables and figures drawn from a record, typed in M and C). `defineClaim` hides M and C behind a
// `Claim` handle whose methods close over them: the catalog lists those handles, the specs evaluate them and
// the report iterates them without naming a claim or reading a measurement itself — so a change of a
// measurement's type fails to compile in the claim's own judge, decoder and report section.

import type { PaperKey } from '../paper/registry.ts';
import type { Plot } from '../plot/plot.ts';
import { evaluateClaim, evaluateClaimOnRuns, type ClaimEvaluation, type ClaimModels } from './claim-runner.ts';
import type { ClaimDeclaration, ClaimRecord, Verdict } from './contract.ts';
import { decodeAt, type Decoder } from './decode.ts';
import type { ProvidedRun } from './provider.ts';
import { recordDecoder } from './record-format.ts';

/** A figure of a report section: the PNG it is saved as (under the report's plots/), its alt text, and how to draw it. */
export interface FigureSpec {
  readonly file: string;
  readonly alt: string;
  /**
   * The models the figure shows (seed, and preset where the record has several), for its caption in the report
   * (tier, preset, seed, step from the record's models); absent: every model of the record the section is drawn from.
   */
  readonly shows?: ReadonlyArray<{ readonly seed: number; readonly preset?: string }>;
  draw(): Promise<Pick<Plot, 'png'>>;
}

/** A markdown line of a report section, or a figure (drawn, saved and linked by the report). */
export type ReportBlock = string | FigureSpec;

/** A claim's part of the report (under "Plots"): markdown lines and figures, in order; empty when there is nothing to show. */
export type ReportSection = readonly ReportBlock[];

/** A claim's report section, drawn from its record (for a tiered claim: the tier the report shows). */
export interface ClaimReport<M, C> {
  section(record: ClaimRecord<M, C>): ReportSection;
}

/**
 * A claim that our committed models measurably do NOT replicate, declared in the claim's module so the report
 * and badges say "not replicated" honestly while `npm test` stays green: the claim's spec then *expects* the
 * non-replication (claims/claim-spec.ts), so the day the claim replicates (better models, a fix) the spec fails
 * and asks for the declaration to be removed. A known deviation never hides a negative control.
 */
export interface KnownDeviation {
  /**
   * Why the claim does not replicate on our models: what deviates and why, in words that stay true from run to
   * run. No numbers, frequencies or preset names: those are in the record (its verdict, measurement and models),
   * and the report prints them from there (the report tests refuse a digit here).
   */
  readonly reason: string;
  /** The registry entry the deviation rests on: one of the claim's thresholds (the level our models miss). */
  readonly registryEntry: PaperKey;
}

/** The record's `knownDeviation` field: false, or the declared deviation. */
function deviationField(deviation: KnownDeviation | undefined): ClaimRecord['knownDeviation'] {
  return deviation ? { reason: deviation.reason, registryEntry: deviation.registryEntry } : false;
}

/** Everything a claim is, typed in its measurement M and its negative control's measurement C. */
export interface ClaimModule<M, C = M> extends ClaimEvaluation<M, C> {
  readonly declaration: ClaimDeclaration;
  /** Set while our models do not replicate the claim (see KnownDeviation). */
  readonly knownDeviation?: KnownDeviation;
  readonly models: ClaimModels;
  /** Set when the measurement reads the training log (metrics.jsonl): runs without one (imported models) cannot be judged. */
  readonly trainingLog?: 'required';
  /** The measurement: what `measure` gives on the runs of `models`. */
  measure(runs: readonly ProvidedRun[]): M;
  judge(measurement: M): Verdict;
  /** The negative control (described in the declaration): measured on the same runs, judged, and must be rejected. */
  readonly control: ClaimEvaluation<M, C>['control'];
  /** Reads a measurement back from a record (JSON); ClaimError 'record-shape' naming the field otherwise. */
  readonly parseMeasurement: Decoder<M>;
  readonly parseControl: Decoder<C>;
  readonly report?: ClaimReport<M, C>;
}

/** A claim with its measurement types hidden (an existential over M and C): what the catalog lists. */
export interface Claim {
  readonly declaration: ClaimDeclaration;
  readonly knownDeviation: KnownDeviation | null;
  /** Provides the models, measures, judges; "not evaluated" with the reason when the models are missing or refused. */
  evaluate(): Promise<ClaimRecord>;
  /**
   * Judges the claim on runs the user gives (`replicate --run`: imported models or other run folders) instead
   * of its own, with the same measurement, gates and control; "not evaluated" with the reason where it does not
   * apply to them (claim-runner.ts givenRunsFor).
   */
  evaluateOn(runs: readonly ProvidedRun[]): Promise<ClaimRecord>;
  /** Reads a record of this claim (from `where`, for messages) through the claim's decoders; ClaimError 'record-shape' otherwise. */
  check(record: unknown, where: string): ClaimRecord;
  /** The claim's report section from a record of it, read through its decoders (`where` names the record in an error). */
  reportSection(record: unknown, where: string): ReportSection;
}

export function defineClaim<M, C = M>(module: ClaimModule<M, C>): Claim {
  const decoder = recordDecoder(module.parseMeasurement, module.parseControl);
  const read = (record: unknown, where: string): ClaimRecord<M, C> => decodeAt(decoder, record, where);
  return {
    declaration: module.declaration,
    knownDeviation: module.knownDeviation ?? null,
    evaluate: async () => ({ ...(await evaluateClaim(module.declaration, module.models, module)), knownDeviation: deviationField(module.knownDeviation) }),
    evaluateOn: async (runs) => ({
      ...(await evaluateClaimOnRuns(module.declaration, module.models, module, runs, { trainingLog: module.trainingLog === 'required' })),
      knownDeviation: deviationField(module.knownDeviation),
    }),
    check: read,
    reportSection: (record, where) => (module.report ? module.report.section(read(record, where)) : []),
  };
}
