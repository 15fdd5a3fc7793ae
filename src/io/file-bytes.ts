// Reading whole files as bytes: read a file, and gunzip when the bytes start with the gzip magic (1f 8b),
// turning every filesystem or zlib failure into a DataError that names the file. Used by the format readers
// (io/idx.ts, io/npz.ts) and the data sets above them (EMNIST / Kuzushiji-49 symbol images), so library
// errors never reach the layers above.

import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.ts';

/** Read a whole file. A missing path, a folder or an unreadable file is a DataError naming the path. */
export function readBytes(path: string, what = 'file'): Uint8Array {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new DataError('file-missing', `${what} not found: ${path} (no such file)`, { cause: err });
    }
    throw new DataError('file-unreadable', `${what} cannot be read: ${path} (${code ?? String(err)})`, { cause: err });
  }
  if (!isFile) throw new DataError('file-unreadable', `${what} is not a regular file: ${path}`);
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError('file-unreadable', `${what} cannot be read: ${path} (${code ?? String(err)})`, { cause: err });
  }
}

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzip `bytes` when they carry the gzip magic, otherwise return them unchanged. zlib checks the CRC-32 and
 * length trailer, so a truncated or corrupted stream throws; that error becomes DataError('gzip-corrupt').
 */
export function maybeGunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DataError('gzip-corrupt', `${source}: gzip stream is truncated or corrupt (${why}); expected a complete gzip file (${bytes.length} bytes read)`, {
      cause: err,
    });
  }
}

/** Read a file and gunzip it when it is gzip-compressed (by content, not by name). */
export function readMaybeGzip(path: string, what = 'file'): Uint8Array {
  return maybeGunzip(readBytes(path, what), path);
}
