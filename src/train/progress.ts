// Training progress on the terminal: a one-line bar with step, loss and accuracies, redrawn in place at most
// ten times a second when stderr is a TTY, and plain lines (one per evaluation) when it is not (CI, logs); the line
// shows the evaluations' share of the run's time (issue 28). The accuracies are the trainer's fixed-draw readings
// (one noise draw per pair, reused at every evaluation: not the claims' fresh-draw judgement) and say so.

export interface ProgressFields {
  readonly loss?: number;
  readonly trainAcc?: number;
  readonly heldoutAcc?: number;
  /** Held-out accuracy on pairs whose mirror was not trained (generalisation beyond commutativity). */
  readonly novelAcc?: number;
  /** The evaluations' share of the run's time so far (train/run-timing.ts). */
  readonly evalShare?: number;
}

export interface Progress {
  /** Called every step; redraws the bar on a TTY (throttled). */
  tick(step: number, fields: ProgressFields): void;
  /** Called at each evaluation; prints a line when not on a TTY. */
  evaluated(step: number, fields: ProgressFields): void;
  /** Prints a message on its own line (clearing the bar). */
  message(text: string): void;
  done(): void;
}

const pct = (x: number | undefined): string => (x === undefined ? '  -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

function describe(step: number, total: number, f: ProgressFields, rate: number): string {
  const loss = f.loss === undefined ? '-' : f.loss.toExponential(3);
  const novel = f.novelAcc === undefined ? '' : ` (novel ${pct(f.novelAcc).trim()})`;
  const evals = f.evalShare === undefined ? '' : `  eval ${(100 * f.evalShare).toFixed(0)} % of time`;
  return `step ${String(step).padStart(String(total).length)}/${total}  loss ${loss}  fixed-draw acc: train ${pct(f.trainAcc)}  held-out ${pct(f.heldoutAcc)}${novel}  ${rate.toFixed(1)} step/s${evals}`;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): Progress {
  const tty = Boolean(stream.isTTY);
  const start = now();
  let startStep: number | null = null;
  let lastDraw = 0;
  let last: ProgressFields = {};
  const rate = (step: number): number => {
    if (startStep === null) startStep = step - 1;
    const seconds = (now() - start) / 1000;
    return seconds > 0 ? (step - startStep) / seconds : 0;
  };
  const draw = (step: number): void => {
    const width = 24;
    const filled = Math.round((width * step) / total);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${describe(step, total, last, rate(step))}`;
    const cols = stream.columns ?? 120;
    stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
  };
  return {
    tick(step, fields) {
      last = { ...last, ...fields };
      if (!tty) {
        rate(step);
        return;
      }
      const t = now();
      if (t - lastDraw >= 100 || step === total) {
        lastDraw = t;
        draw(step);
      }
    },
    evaluated(step, fields) {
      last = { ...last, ...fields };
      if (tty) draw(step);
      else stream.write(`${describe(step, total, last, rate(step))}\n`);
    },
    message(text) {
      stream.write(tty ? `\r\x1b[K${text}\n` : `${text}\n`);
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}

/** A progress reporter that prints nothing (tests, library use). */
export const silentProgress: Progress = { tick() {}, evaluated() {}, message() {}, done() {} };
