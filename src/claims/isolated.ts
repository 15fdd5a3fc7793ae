// Evaluating a claim in a child process (issue 19). A claim's measurement is minutes of synchronous tfjs work;
// inside a vitest worker that blocks the worker's event loop, and vitest's worker-to-runner RPC
// (onTaskUpdate) has a fixed 60 s timeout, so on a busy machine a run whose every test passed ended with
// "Timeout calling onTaskUpdate" and exit 1. The claim specs therefore evaluate each claim in a child
// process (src/claims/evaluate-claim.ts) and wait for its record asynchronously: the worker stays responsive
// however long the measurement takes. GROKDIFF_CLAIMS_IN_PROCESS=1 evaluates in the worker instead (debugging).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../config/environment.ts';
import { ClaimError } from '../errors.ts';
import type { ClaimRecord } from './contract.ts';
import { REPO_ROOT } from './provider.ts';
import { parseRecord } from './record-format.ts';

const ENTRY = fileURLToPath(new URL('./evaluate-claim.ts', import.meta.url));

/** Children still evaluating; killed by cancelIsolatedClaims and when this process exits. */
const running = new Set<ChildProcess>();
let exitHook = false;

/**
 * Kills every claim evaluation still running in a child (e.g. after the spec's hook timed out): a child busy
 * in synchronous work would notice its parent's exit only when it finishes, so it is killed, not told.
 */
export function cancelIsolatedClaims(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Evaluates claim `id` in a child process; its stdout and stderr are forwarded to this process's. `env`: variables
 * added to the child's environment (the claims run's shared grok-status folder).
 */
export function evaluateClaimIsolated(id: string, env: Readonly<Record<string, string>> = {}): Promise<ClaimRecord> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, id], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: childEnvironment(env),
    });
    running.add(child);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', cancelIsolatedClaims);
    }
    let result: { record?: unknown; error?: string } | undefined;
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('message', (message) => {
      result = message as { record?: unknown; error?: string };
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      if (result?.record) {
        try {
          resolve(parseRecord(result.record, `the record of claim "${id}" from its child process`));
        } catch (err) {
          reject(err);
        }
      } else
        reject(
          new ClaimError(
            'isolated-evaluation',
            `evaluating claim "${id}" in a child process failed (exit ${code ?? signal})${result?.error ? `: ${result.error}` : ''}`,
          ),
        );
    });
  });
}
