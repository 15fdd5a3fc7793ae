// Progress lines for long work that is not a training loop (issue 29): `grokdiff replicate`, the claim specs'
// child processes and `grokdiff eval` say what they are doing — which claim of how many, which model, which
// phase, the time so far and an estimate of what is left — as plain lines on stderr, so a CI log shows them as
// well as a terminal. Work reports where it stands with `reportProgress` wherever it runs (the claim runner, the
// grok-status check, a claim's own loops); the lines go to the reporter that the caller installed around the
// work with `withProgress` (an AsyncLocalStorage scope, so nothing is passed through the measurement code and
// two scopes never mix), or nowhere when none is installed (tests, library use). A reporter stays quiet for
// work that ends within `quietSeconds` and prints at most one line per `minGapSeconds`, so vitest's output
// stays readable.

import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a piece of work stands: what it does now, on which model, and how far through its units it is. */
export interface ProgressReport {
  /** The phase, e.g. "grok status", "measuring", "negative control". */
  readonly phase: string;
  /** The model (preset and seed) or the item being worked on, when there is one. */
  readonly item?: string;
  /** Units of the phase done so far and in all (e.g. seeds): the estimate of what is left comes from them. */
  readonly done?: number;
  readonly total?: number;
}

export interface ProgressOptions {
  /** Printed first on every line, e.g. "claim 6/12 critical-timestep". */
  readonly label: string;
  /** Where a line goes (default: stderr). */
  readonly write?: (line: string) => void;
  /** No line before the work has run this long (default 10 s). */
  readonly quietSeconds?: number;
  /** At most one line per this many seconds (default 5 s). */
  readonly minGapSeconds?: number;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

/** "45 s", "3 m 05 s", "1 h 02 m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** A reporter of one piece of work: `report` from inside it, `elapsed` for the caller's own summary. */
export interface ProgressReporter {
  report(r: ProgressReport): void;
  /** Seconds since the reporter was made. */
  elapsed(): number;
}

/**
 * A reporter that prints "LABEL · ITEM: PHASE (DONE of TOTAL) · ELAPSED elapsed · about LEFT left" lines. The
 * estimate is the phase's time per unit so far times the units left; none before a unit is done.
 */
export function progressLines(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quiet = (options.quietSeconds ?? 10) * 1000;
  const gap = (options.minGapSeconds ?? 5) * 1000;
  const start = now();
  let lastLine = -Infinity;
  let phaseKey = '';
  let phaseStart = start;
  return {
    elapsed: () => (now() - start) / 1000,
    report(r) {
      const t = now();
      // A phase starts when its name or size changes, or when it reports no unit done yet.
      const key = `${r.phase}|${r.total ?? ''}`;
      if (key !== phaseKey || r.done === 0) {
        phaseKey = key;
        phaseStart = t;
      }
      if (t - start < quiet || t - lastLine < gap) return;
      lastLine = t;
      const units = r.done !== undefined && r.total !== undefined ? ` (${r.done} of ${r.total})` : '';
      const left =
        r.done !== undefined && r.total !== undefined && r.done > 0 && r.done < r.total
          ? ` · about ${formatDuration((((t - phaseStart) / 1000) * (r.total - r.done)) / r.done)} left in this phase`
          : '';
      write(`${options.label}${r.item ? ` · ${r.item}` : ''}: ${r.phase}${units} · ${formatDuration((t - start) / 1000)} elapsed${left}`);
    },
  };
}

const scope = new AsyncLocalStorage<ProgressReporter>();

/** Runs `work` with `reporter` receiving the progress reported inside it (synchronously or across awaits). */
export function withProgress<T>(reporter: ProgressReporter, work: () => T): T {
  return scope.run(reporter, work);
}

/** Reports where the current work stands to the reporter of the enclosing withProgress, if any. */
export function reportProgress(r: ProgressReport): void {
  scope.getStore()?.report(r);
}
