// Where a run's wall time goes (issue 28): the training steps, the periodic evaluations (eval/training-evaluation.ts)
// and the checkpoints, kept in the run folder's timing.json (train/run-folder.ts) and carried across --resume, so
// that the cost of the evaluations can be seen and kept down. The figures up to the latest checkpoint: time spent
// after it by a run that was killed is trained again by the resume, and counted then.

/** Seconds of a run by what they were spent on; totalSeconds includes what is none of the three (set-up, logging). */
export interface RunTiming {
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly checkpointSeconds: number;
  readonly totalSeconds: number;
  /** Training steps and evaluations the seconds cover. */
  readonly steps: number;
  readonly evaluations: number;
}

export const EMPTY_TIMING: RunTiming = Object.freeze({ trainSeconds: 0, evalSeconds: 0, checkpointSeconds: 0, totalSeconds: 0, steps: 0, evaluations: 0 });

/** The evaluations' share of the total, or null before any time has passed. */
export function evalShare(t: RunTiming): number | null {
  return t.totalSeconds > 0 ? t.evalSeconds / t.totalSeconds : null;
}

/** Whether a parsed timing.json has the fields of a RunTiming (finite, not negative). */
export function isRunTiming(raw: unknown): raw is RunTiming {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  return (['trainSeconds', 'evalSeconds', 'checkpointSeconds', 'totalSeconds', 'steps', 'evaluations'] as const).every(
    (k) => typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) >= 0,
  );
}

export type TimedPart = 'train' | 'eval' | 'checkpoint';

export interface RunTimer {
  /** Runs `f`, adding its seconds to `part` (and a step or an evaluation to the counts). */
  time<T>(part: TimedPart, f: () => T): T;
  timeAsync<T>(part: TimedPart, f: () => Promise<T>): Promise<T>;
  /** The timing now: `base` plus what this session measured. */
  current(): RunTiming;
}

/** A timer that continues `base` (a resumed run's timing.json, or EMPTY_TIMING) from now. */
export function runTimer(base: RunTiming, now: () => number = () => performance.now()): RunTimer {
  const start = now();
  const spent = { train: base.trainSeconds, eval: base.evalSeconds, checkpoint: base.checkpointSeconds };
  const counts = { steps: base.steps, evaluations: base.evaluations };
  const add = (part: TimedPart, ms: number): void => {
    spent[part] += ms / 1000;
    if (part === 'train') counts.steps++;
    if (part === 'eval') counts.evaluations++;
  };
  return {
    time(part, f) {
      const t0 = now();
      try {
        return f();
      } finally {
        add(part, now() - t0);
      }
    },
    async timeAsync(part, f) {
      const t0 = now();
      try {
        return await f();
      } finally {
        add(part, now() - t0);
      }
    },
    current: () => ({
      trainSeconds: spent.train,
      evalSeconds: spent.eval,
      checkpointSeconds: spent.checkpoint,
      totalSeconds: base.totalSeconds + (now() - start) / 1000,
      ...counts,
    }),
  };
}
