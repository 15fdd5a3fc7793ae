// Pickled PyTorch files (issue 30, "bring your own model"): `torch.save` writes a zip archive of pickles (or,
// in old versions, a bare pickle), and unpickling runs whatever code the file names. grokdiff never unpickles:
// a file that looks like one (by its name or its first bytes) is refused with the one-line Python command that
// converts it to safetensors, which grokdiff reads (io/safetensors.ts).

import { closeSync, openSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';

/** File name endings of PyTorch's pickled formats. */
export const PICKLE_EXTENSIONS: readonly string[] = ['.pt', '.pth', '.bin', '.ckpt', '.pkl', '.pickle'];

/** The first bytes of a file: a zip archive (torch.save since 1.6) or a pickle (protocol 2 to 5). */
export function looksPickled(head: Uint8Array): boolean {
  const zip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const pickle = head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
  return zip || pickle;
}

/** Whether `path` is a pickled PyTorch file, by its name ending or its first bytes (it must exist). */
export function isPickledTorchFile(path: string): boolean {
  if (PICKLE_EXTENSIONS.includes(extname(path).toLowerCase())) return true;
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(8);
    const n = readSync(fd, head, 0, head.length, 0);
    return looksPickled(head.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** The safetensors file name a pickled file converts to: the same stem, ending .safetensors. */
export function safetensorsNameFor(path: string): string {
  const ext = extname(path);
  return `${ext ? path.slice(0, -ext.length) : path}.safetensors`;
}

/**
 * The one-line command that converts a pickled state dict (or a checkpoint whose "state_dict" or "model" entry
 * is one) to safetensors, in the user's own Python with PyTorch and the `safetensors` package; weights_only=True
 * keeps even that load from running code.
 */
export function conversionCommand(path: string): string {
  const src = JSON.stringify(basename(path)).slice(1, -1).replace(/'/g, "\\'");
  const dst = JSON.stringify(basename(safetensorsNameFor(path)))
    .slice(1, -1)
    .replace(/'/g, "\\'");
  return (
    `python3 -c "import torch; from safetensors.torch import save_file; sd = torch.load('${src}', map_location='cpu', weights_only=True); ` +
    `sd = sd.get('state_dict', sd.get('model', sd)); save_file({k: v.float().contiguous() for k, v in sd.items()}, '${dst}')"`
  );
}
