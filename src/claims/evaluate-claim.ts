// Child-process entry for evaluating one claim (src/claims/isolated.ts): `node --import tsx
// src/claims/evaluate-claim.ts <claim-id>`, started with an IPC channel. It evaluates the claim and sends
// {record} (or {error}) to the parent, then exits. It exits too when the parent goes away. While it measures,
// progress lines go to stderr (forwarded by the parent: io/work-progress.ts) when the claim takes long.

import { initBackend } from '../engine/backend.ts';
import { ClaimError } from '../errors.ts';
import { progressLines, withProgress } from '../io/work-progress.ts';
import { claimById } from './catalog.ts';

process.on('disconnect', () => process.exit(1));

function send(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new ClaimError('no-ipc-channel', 'evaluate-claim.ts must be started with an IPC channel (see src/claims/isolated.ts)'));
      return;
    }
    process.send(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

const id = process.argv[2];
try {
  await initBackend(undefined, { log: () => {} });
  const record = await withProgress(progressLines({ label: `claim ${id}` }), () => claimById(id).evaluate());
  await send({ record });
} catch (err) {
  await send({ error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) });
  process.exitCode = 1;
}
process.disconnect?.();
