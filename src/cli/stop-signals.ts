// Ctrl-C (SIGINT) and SIGTERM (kill, a job scheduler, docker stop) for the commands that train (train, search):
// until a run is open the signals keep their default action and end the process at once, even inside a long
// native call (issue 31: a handler installed up front only set a flag, which nothing read while the process hung
// in a native mkdir or a long setup). Once armed, the first signal asks the trainer to save a checkpoint after
// the current step and stop; a second one, or one after the training is over (nothing left to save), quits at
// once. The exit status is 128 + the signal's number (130, 143).

const EXIT_CODES: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

export interface StopSignals {
  /** The trainer's stop flag (TrainOptions.stopFlag). */
  readonly flag: { stop: boolean };
  /** Installs the save-and-stop handlers (TrainOptions.onRunOpen); idempotent. */
  arm(): void;
  /** Training is over: a signal now quits at once. */
  finished(): void;
  /** The exit status for the signal that stopped training (130 / 143), or undefined when none came. */
  exitCode(): number | undefined;
  /** Removes the handlers (the default action again). */
  dispose(): void;
}

export function stopSignals(): StopSignals {
  const flag = { stop: false };
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  let over = false;
  let armed = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (flag.stop || over) process.exit(EXIT_CODES[signal]);
    flag.stop = true;
    received = signal;
    process.stderr.write(
      `\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: saving a checkpoint after this step (${signal === 'SIGINT' ? 'press again' : 'send it again'} to quit without saving)\n`,
    );
  };
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    armed = false;
  };
  return {
    flag,
    arm: () => {
      if (armed) return;
      armed = true;
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
    finished: () => {
      over = true;
    },
    exitCode: () => (received ? EXIT_CODES[received] : undefined),
    dispose,
  };
}
