// Reader for MNIST/EMNIST IDX files (raw or gzip-compressed): the format of the EMNIST images the paper's
// symbols are drawn from (paper Sec. 3, "EMNIST symbols"). Only the two layouts EMNIST uses are accepted:
// unsigned-byte images (magic 0x00000803, dims [N, rows, cols]) and labels (magic 0x00000801, dims [N]).
// The header is validated field by field and the payload must be exactly product(dims) bytes long.

import { DataError } from '../errors.ts';
import { maybeGunzip, readBytes } from './file-bytes.ts';

export type IdxKind = 'images' | 'labels';

export interface IdxArray {
  readonly kind: IdxKind;
  /** [N, rows, cols] for images, [N] for labels. */
  readonly dims: readonly number[];
  /** Row-major uint8 payload, exactly product(dims) bytes. */
  readonly data: Uint8Array;
  /** File path or description, for messages further up. */
  readonly source: string;
}

const IDX_UBYTE = 0x08;
const DIMS_BY_KIND: Record<IdxKind, number> = { images: 3, labels: 1 };
const MAGIC_BY_KIND: Record<IdxKind, number> = { images: 0x00000803, labels: 0x00000801 };

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** Parse IDX bytes (already gunzipped). `expect` pins the kind; without it either kind is accepted. */
export function parseIdx(bytes: Uint8Array, source: string, expect?: IdxKind): IdxArray {
  if (bytes.length < 4) {
    throw new DataError('idx-truncated', `${source}: ${bytes.length} bytes, too short for an IDX header (need at least 4)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expectedMagics = expect ? [MAGIC_BY_KIND[expect]] : [MAGIC_BY_KIND.images, MAGIC_BY_KIND.labels];
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError('idx-magic', `${source}: magic number ${hex(magic)} is not an IDX magic; expected ${expectedMagics.map(hex).join(' or ')}`);
  }
  if (bytes[2] !== IDX_UBYTE) {
    throw new DataError(
      'idx-dtype',
      `${source}: IDX data type byte 0x${bytes[2].toString(16).padStart(2, '0')} is not supported; expected 0x08 (unsigned byte)`,
    );
  }
  const kind = (Object.keys(MAGIC_BY_KIND) as IdxKind[]).find((k) => MAGIC_BY_KIND[k] === magic);
  if (!kind || !expectedMagics.includes(magic)) {
    throw new DataError(
      'idx-magic',
      `${source}: magic number ${hex(magic)} (${bytes[3]} dims) found; expected ${expectedMagics.map(hex).join(' or ')}` +
        (expect ? ` for an IDX ${expect} file` : ''),
    );
  }
  const nDims = DIMS_BY_KIND[kind];
  const headerLength = 4 + 4 * nDims;
  if (bytes.length < headerLength) {
    throw new DataError('idx-truncated', `${source}: ${bytes.length} bytes, too short for the ${nDims}-dim IDX header (${headerLength} bytes)`);
  }
  const dims: number[] = [];
  for (let i = 0; i < nDims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  if (kind === 'images' && (dims[1] === 0 || dims[2] === 0)) {
    throw new DataError('idx-dims', `${source}: image dims [${dims.join(', ')}] have a zero side; expected rows, cols ≥ 1`);
  }
  const payload = dims.reduce((a, b) => a * b, 1);
  const expectedLength = headerLength + payload;
  if (bytes.length !== expectedLength) {
    const what = bytes.length < expectedLength ? 'truncated' : 'has trailing bytes';
    throw new DataError(
      bytes.length < expectedLength ? 'idx-truncated' : 'idx-trailing',
      `${source}: IDX ${kind} file ${what}: dims [${dims.join(', ')}] need ${headerLength} + ${payload} = ` + `${expectedLength} bytes, found ${bytes.length}`,
    );
  }
  return { kind, dims, data: bytes.subarray(headerLength), source };
}

/** Read an IDX file from disk; gzip is detected by its magic bytes (1f 8b), not by the file name. */
export function readIdxFile(path: string, expect?: IdxKind): IdxArray {
  const raw = readBytes(path, expect ? `IDX ${expect} file` : 'IDX file');
  return parseIdx(maybeGunzip(raw, path), path, expect);
}

/** Encode an IDX array (uint8), the inverse of parseIdx; used by tests and tools that write subsets. */
export function encodeIdx(kind: IdxKind, dims: readonly number[], data: Uint8Array): Uint8Array {
  const nDims = DIMS_BY_KIND[kind];
  if (dims.length !== nDims) {
    throw new DataError('idx-dims', `encodeIdx: ${kind} need ${nDims} dims, got [${dims.join(', ')}]`);
  }
  const payload = dims.reduce((a, b) => a * b, 1);
  if (data.length !== payload) {
    throw new DataError('idx-dims', `encodeIdx: dims [${dims.join(', ')}] need ${payload} bytes, got ${data.length}`);
  }
  const out = new Uint8Array(4 + 4 * nDims + payload);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC_BY_KIND[kind], false);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  out.set(data, 4 + 4 * nDims);
  return out;
}
