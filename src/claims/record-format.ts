// Reading a claim record back (reports/claims/<id>.json, for the report): the decoders of the record's
// envelope (contract.ts: verdict, thresholds, models with their grok status, tiers) and of the eval and
// analysis values that several claims' measurements carry (an accuracy with its Wilson interval, the critical
// timestep, an entropy transition). A claim's own measurement is read by the decoders its module declares
// (claim.ts: parseMeasurement / parseControl); decode.ts says how a mismatch is reported.

import {
  CHANGE_POINT_RULES,
  CRITICAL_TIMESTEP_DEFINITION,
  type CriticalTimestep,
  type EntropyTransition,
  type TimestepAgreement,
} from '../analysis/critical-timestep.ts';
import type { AccuracyResult } from '../eval/accuracy.ts';
import type { ScoredBy } from '../eval/classifier.ts';
import type { GrokStatus, LevelCheck } from '../eval/grok-status.ts';
import type { ClaimControl, ClaimRecord, ClaimTier, ExcludedModel, KnownDeviationRecord, ModelProvenance, ThresholdRow, Verdict } from './contract.ts';
import { anyJson, array, boolean, decodeAt, literal, nullable, number, object, optional, pair, string, type Decoder, type Fields } from './decode.ts';

export const accuracyFields: Fields<AccuracyResult> = { correct: number, total: number, accuracy: number, interval: pair(number, number) };
export const accuracyDecoder: Decoder<AccuracyResult> = object<AccuracyResult>(accuracyFields);
export const scoredByDecoder: Decoder<ScoredBy> = object<ScoredBy>({ name: string, heldout: nullable(accuracyDecoder) });

export const criticalTimestepDecoder: Decoder<CriticalTimestep> = object<CriticalTimestep>({
  definition: literal(CRITICAL_TIMESTEP_DEFINITION),
  steps: number,
  level: number,
  index: nullable(number),
  t: nullable(number),
  exists: boolean,
  upperIndex: nullable(number),
  upperT: nullable(number),
  monotone: boolean,
});

export const entropyTransitionDecoder: Decoder<EntropyTransition> = object<EntropyTransition>({
  rule: literal(...CHANGE_POINT_RULES),
  index: number,
  t: number,
  tAfter: number,
  before: number,
  after: number,
  jump: number,
  explained: number,
});

export const timestepAgreementDecoder: Decoder<TimestepAgreement> = object<TimestepAgreement>({ difference: number, tolerance: number, within: boolean });

const levelCheck: Decoder<LevelCheck> = object<LevelCheck>({
  ...accuracyFields,
  pairs: number,
  drawsPerPair: number,
  level: number,
  decision: literal('at-level', 'below', 'undecided'),
});

const grokStatus: Decoder<GrokStatus> = object<GrokStatus>({
  step: number,
  K: number,
  train: levelCheck,
  heldout: levelCheck,
  novel: levelCheck,
  grokked: boolean,
  summary: string,
});

const verdictDecoder: Decoder<Verdict> = object<Verdict>({
  outcome: literal('replicated', 'not-replicated', 'not-evaluated'),
  summary: string,
  keyNumber: optional(string),
});

const modelProvenance: Decoder<ModelProvenance> = object<ModelProvenance>({
  preset: string,
  seed: number,
  step: number,
  source: string,
  dModel: number,
  ffnWidth: number,
  imageSide: number,
  depth: number,
  preAttentionFfn: boolean,
  P: number,
  N: number,
  split: literal('ordered', 'unordered'),
  grok: grokStatus,
});

const excludedModel: Decoder<ExcludedModel> = object<ExcludedModel>({ model: modelProvenance, reason: string });

const thresholdRow: Decoder<ThresholdRow> = object<ThresholdRow>({
  key: string,
  value: anyJson,
  provenance: string,
  verified: boolean,
  evidence: optional(string),
});

/** false, or a declared known deviation's reason and registry entry. */
const knownDeviationField: Decoder<KnownDeviationRecord | false> = (json, path) =>
  json === false ? false : object<KnownDeviationRecord>({ reason: string, registryEntry: string })(json, path);

function controlDecoder<C>(measurement: Decoder<C>): Decoder<ClaimControl<C>> {
  return object<ClaimControl<C>>({ description: string, verdict: verdictDecoder, measurement: nullable(measurement) });
}

/** The decoder of a record whose measurement is an M and whose control's is a C (every tier's too). */
export function recordDecoder<M, C>(measurement: Decoder<M>, control: Decoder<C>): Decoder<ClaimRecord<M, C>> {
  const tier = object<ClaimTier<M, C>>({
    tier: literal('paper-width', 'reduced'),
    preset: string,
    verdict: verdictDecoder,
    measurement: nullable(measurement),
    control: nullable(controlDecoder(control)),
    models: array(modelProvenance),
    excluded: array(excludedModel),
  });
  return object<ClaimRecord<M, C>>({
    id: string,
    kind: literal('paper', 'reviewer-requested'),
    title: string,
    statement: string,
    where: string,
    thresholds: array(thresholdRow),
    verdict: verdictDecoder,
    measurement: nullable(measurement),
    control: nullable(controlDecoder(control)),
    models: array(modelProvenance),
    excluded: optional(array(excludedModel)),
    tiers: optional(array(tier)),
    knownDeviation: optional(knownDeviationField),
    createdAt: string,
  });
}

/** The envelope of any claim's record, its measurements left unread (the report's tables need no more). */
export const recordEnvelope: Decoder<ClaimRecord> = recordDecoder<unknown, unknown>(anyJson, anyJson);

/** Reads a record (parsed JSON) from `where` (a file name, for the message); ClaimError 'record-shape' naming the field otherwise. */
export function parseRecord(json: unknown, where: string): ClaimRecord {
  return decodeAt(recordEnvelope, json, where);
}
