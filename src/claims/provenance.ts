// Verdict provenance and the grokked-model precondition (issues 14 and 15; DEVELOPERS "What matters now"):
// every verdict names the models it was judged on (preset, width, image side, depth, seed, step) with their
// grok status, and a claim about a grokked model's mechanism is judged only on the seeds that grokked on the
// novel pairs (eval/grok-status.ts), with at least PAPER.minGrokkedSeeds of them; the others are excluded
// with their numbers. Grok statuses are measured once per checkpoint and process, and once per claims run when
// the run shares them (GROKDIFF_GROK_STATUS_DIR: the claims measure in one child process each).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environment } from '../config/environment.ts';
import { measureGrokStatus, type GrokStatus } from '../eval/grok-status.ts';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { reportProgress } from '../io/work-progress.ts';
import { PAPER } from '../paper/registry.ts';
import type { ExcludedModel, ModelProvenance } from './contract.ts';
import type { ProvidedRun } from './provider.ts';
import { openRun } from './setup.ts';

/** The judged (final) checkpoint of a provided run. */
export function judgedStep(run: ProvidedRun): number {
  return run.checkpoints[run.checkpoints.length - 1];
}

const statuses = new Map<string, GrokStatus>();

/**
 * The file in the run's shared folder (GROKDIFF_GROK_STATUS_DIR, one claims run's, made by its global setup) that
 * holds the status of checkpoint `key`: measured by the first claim process that needs it, read by the others.
 */
function sharedStatusFile(key: string): string | null {
  const dir = environment().grokStatusDir;
  return dir ? join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`) : null;
}

/** A status another process of this run wrote (null: none yet). Written atomically, so a file is whole. */
function readShared(file: string | null, key: string): GrokStatus | null {
  if (!file || !existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { key: string; status: GrokStatus };
  return saved.key === key ? saved.status : null;
}

/** The grok status of a run's judged checkpoint, measured once per process (once per claims run with a shared folder). */
export function grokStatusOf(run: ProvidedRun): GrokStatus {
  const step = judgedStep(run);
  const key = `${run.dir}@${step}`;
  let status = statuses.get(key);
  if (!status) {
    const file = sharedStatusFile(key);
    status = readShared(file, key) ?? undefined;
    if (!status) {
      reportProgress({ phase: 'grok status (fresh draws)', item: `${run.preset} seed ${run.seed}` });
      const loaded = openRun(run, step);
      try {
        status = measureGrokStatus(loaded);
      } finally {
        loaded.dispose();
      }
      if (file) writeJsonAtomic(file, { key, status });
    }
    statuses.set(key, status);
  }
  return status;
}

/** What a provided run is, for the record. */
export function modelProvenance(run: ProvidedRun): ModelProvenance {
  const { data, model } = run.config;
  return {
    preset: run.preset,
    seed: run.seed,
    step: judgedStep(run),
    source: `${run.source} ${run.dir}${run.origin ? ` (${run.origin})` : ''}`,
    dModel: model.dModel,
    ffnWidth: model.ffnWidth,
    imageSide: model.imageSide,
    depth: model.depth,
    preAttentionFfn: model.preAttentionFfn,
    P: data.P,
    N: data.N,
    split: data.split ?? 'ordered',
    grok: grokStatusOf(run),
  };
}

/** One line naming a model: "paper-n1 seed 1 step 20000 (d_model 512, FFN 512, 32 px, depth 1)". */
export function describeModel(m: ModelProvenance): string {
  const arch = `d_model ${m.dModel}, FFN ${m.ffnWidth}, ${m.imageSide} px, depth ${m.depth}${m.preAttentionFfn ? ', sandwich' : ''}`;
  return `${m.preset} seed ${m.seed} step ${m.step} (${arch})`;
}

export interface Gate {
  /** Runs the verdict is judged on. */
  readonly judged: ProvidedRun[];
  readonly excluded: ExcludedModel[];
  /** Set when too few runs meet the precondition: the reason the claim is not evaluated. */
  readonly notEvaluated: string | null;
}

/**
 * Applies the grokked precondition to the runs of the gated presets (the others — contrasts, controls — pass
 * through). Needs at least PAPER.minGrokkedSeeds grokked runs of the gated presets.
 */
export function grokkedGate(runs: readonly ProvidedRun[], provenance: ReadonlyMap<ProvidedRun, ModelProvenance>, gatedPresets: ReadonlySet<string>): Gate {
  const judged: ProvidedRun[] = [];
  const excluded: ExcludedModel[] = [];
  let gatedGrokked = 0;
  for (const run of runs) {
    const m = provenance.get(run)!;
    if (!gatedPresets.has(run.preset)) {
      judged.push(run);
    } else if (m.grok.grokked) {
      judged.push(run);
      gatedGrokked++;
    } else {
      excluded.push({ model: m, reason: `not evaluated: ${describeModel(m)} ${m.grok.summary}` });
    }
  }
  const min = PAPER.minGrokkedSeeds.value;
  const notEvaluated =
    gatedGrokked >= min
      ? null
      : `a claim about a grokked model needs ≥ ${min} grokked seeds; ${gatedGrokked} of ${gatedGrokked + excluded.length} grokked` +
        (excluded.length > 0 ? ` (${excluded.map((e) => grokNumbers(e.model)).join('; ')})` : '');
  return { judged, excluded, notEvaluated };
}

/**
 * "seed 1 did not grok in 20000 steps (train 100.0 % [99.2, 100.0], novel held-out 0.0 % [0.0, 10.7])": why a
 * seed was excluded, with the Wilson 95 % intervals of its grok check, in the gate's and the runner's messages.
 */
export function grokNumbers(m: ModelProvenance): string {
  return `seed ${m.seed} did not grok in ${m.step} steps (train ${pctWithInterval(m.grok.train)}, novel held-out ${pctWithInterval(m.grok.novel)})`;
}

const pct = (x: number): string => (100 * x).toFixed(1);
const pctWithInterval = (a: { accuracy: number; interval: readonly [number, number] }): string =>
  `${pct(a.accuracy)} % [${pct(a.interval[0])}, ${pct(a.interval[1])}]`;
