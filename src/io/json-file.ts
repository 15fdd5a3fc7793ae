// Reading JSON files with errors that name the file (a missing file, or invalid JSON with the parser's
// position), for checkpoints, configs and fixture manifests.

import { existsSync, readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.ts';

export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new CheckpointError('file-missing', `${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CheckpointError('json-corrupt', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
