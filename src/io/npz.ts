// NumPy `.npy` / `.npz` reader (and a small writer for tests and tools). The Kuzushiji-49 arrays used by the
// paper's appendix study (P = 39, 43, 47) ship as `k49-*-imgs.npz` / `k49-*-labels.npz`, each a zip holding
// one `arr_0.npy`. Format: magic \x93NUMPY, version 1/2/3, a Python-dict header with descr, fortran_order
// and shape, then the raw array. Only little-endian, C-order numeric arrays are accepted; anything else is a
// DataError that says what was found. Zip decoding uses fflate; every member's CRC-32 is checked against the
// zip central directory (fflate does not check it), so a corrupt member never yields silent wrong numbers.

import { unzipSync, zipSync, type Zippable } from 'fflate';
import { crc32 } from 'node:zlib';
import { DataError } from '../errors.ts';
import { readBytes } from './file-bytes.ts';

/** dtype descr strings accepted (numpy spells single-byte types with '|'; '<u1' / '<i1' are accepted too). */
export type NpyDescr = '|u1' | '|i1' | '|b1' | '<u2' | '<i2' | '<u4' | '<i4' | '<f4' | '<f8' | '<i8' | '<u8';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export interface NpyArray {
  readonly descr: NpyDescr;
  readonly shape: readonly number[];
  /** Row-major values; length = product(shape) (1 for a 0-d array). '|b1' is returned as 0/1 bytes. */
  readonly data: NpyData;
  /** Header version (1, 2 or 3) as read; 1 for arrays built in memory. */
  readonly version: number;
}

interface DtypeInfo {
  readonly size: number;
  readonly make: (buf: ArrayBuffer) => NpyData;
}

const DTYPES: Record<NpyDescr, DtypeInfo> = {
  '|u1': { size: 1, make: (b) => new Uint8Array(b) },
  '|i1': { size: 1, make: (b) => new Int8Array(b) },
  '|b1': { size: 1, make: (b) => new Uint8Array(b) },
  '<u2': { size: 2, make: (b) => new Uint16Array(b) },
  '<i2': { size: 2, make: (b) => new Int16Array(b) },
  '<u4': { size: 4, make: (b) => new Uint32Array(b) },
  '<i4': { size: 4, make: (b) => new Int32Array(b) },
  '<f4': { size: 4, make: (b) => new Float32Array(b) },
  '<f8': { size: 8, make: (b) => new Float64Array(b) },
  '<i8': { size: 8, make: (b) => new BigInt64Array(b) },
  '<u8': { size: 8, make: (b) => new BigUint64Array(b) },
};

/** Aliases numpy may write for single-byte types. */
const DESCR_ALIASES: Record<string, NpyDescr> = { '<u1': '|u1', '>u1': '|u1', '<i1': '|i1', '>i1': '|i1', '<b1': '|b1' };

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---- header: a Python dict literal -----------------------------------------------------------------

type PyValue = string | boolean | number[];

/** Parse numpy's header dict, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }". */
export function parseNpyHeaderDict(text: string, source: string): Record<string, PyValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new DataError('npy-header', `${source}: .npy header is not a valid dict literal (${what} at character ${i}): ${JSON.stringify(text.trim())}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') fail('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const int = (): number => {
    const m = /^\d+/.exec(text.slice(i));
    if (!m) fail('expected an integer');
    i += m![0].length;
    if (text[i] === 'L') i++; // Python 2 long suffix, written by very old numpy
    return Number.parseInt(m![0], 10);
  };
  const value = (): PyValue => {
    ws();
    if (text[i] === "'" || text[i] === '"') return str();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (text[i] === '(') {
      i++;
      const items: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') {
          i++;
          return items;
        }
        items.push(int());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail("expected ',' or ')' in the shape tuple");
      }
    }
    return fail('expected a string, True/False or a tuple of integers');
  };
  const out: Record<string, PyValue> = {};
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = str();
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    out[key] = value();
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) fail('unexpected text after the dict');
  return out;
}

/** A header value as Python would print it (for messages). */
function pyRepr(v: PyValue | undefined): string {
  if (v === undefined) return '(missing)';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
  return `'${v}'`;
}

function checkDescr(descr: PyValue | undefined, source: string): NpyDescr {
  if (typeof descr !== 'string') {
    throw new DataError(
      'npy-dtype',
      `${source}: .npy descr is ${pyRepr(descr)}; expected a simple dtype string such as '|u1' or '<f4' (structured dtypes are not supported)`,
    );
  }
  const d = DESCR_ALIASES[descr] ?? descr;
  if (d in DTYPES) return d as NpyDescr;
  if (descr.startsWith('>') && `<${descr.slice(1)}` in DTYPES) {
    throw new DataError(
      'npy-endian',
      `${source}: .npy dtype '${descr}' is big-endian; only little-endian arrays are supported (convert with arr.astype('<${descr.slice(1)}'))`,
    );
  }
  throw new DataError('npy-dtype', `${source}: .npy dtype '${descr}' is not supported; expected one of ${Object.keys(DTYPES).join(', ')}`);
}

function checkShape(shape: PyValue | undefined, source: string): number[] {
  if (!Array.isArray(shape)) {
    throw new DataError('npy-header', `${source}: .npy header shape is ${pyRepr(shape)}; expected a tuple of integers`);
  }
  for (const d of shape) {
    if (!Number.isSafeInteger(d)) throw new DataError('npy-header', `${source}: .npy shape (${shape.join(', ')}) has a dimension too large`);
  }
  return shape;
}

// ---- .npy ------------------------------------------------------------------------------------------

/** Parse the bytes of one `.npy` file. */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  if (bytes.length < 10 || NPY_MAGIC.some((b, k) => bytes[k] !== b)) {
    const found = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError('npy-magic', `${source}: not a .npy file: first bytes ${found || '(none)'}; expected 93 4e 55 4d 50 59 (\\x93NUMPY)`);
  }
  const version = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (version === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (version === 2 || version === 3) {
    if (bytes.length < 12)
      throw new DataError('npy-truncated', `${source}: .npy v${version} file of ${bytes.length} bytes is too short for its header length field`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError('npy-version', `${source}: .npy format version ${version}.${bytes[7]} is not supported; expected 1.0, 2.0 or 3.0`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw new DataError(
      'npy-truncated',
      `${source}: .npy header claims ${headerLength} bytes but the file has only ${bytes.length - headerStart} after the preamble`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = new TextDecoder(version === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const dict = parseNpyHeaderDict(header, source);
  const descr = checkDescr(dict.descr, source);
  if (dict.fortran_order !== false) {
    throw new DataError(
      'npy-order',
      `${source}: .npy fortran_order is ${pyRepr(dict.fortran_order)}; only C-order arrays (fortran_order False) are supported (save np.ascontiguousarray(arr))`,
    );
  }
  const shape = checkShape(dict.shape, source);
  const count = shape.reduce((a, b) => a * b, 1);
  const { size, make } = DTYPES[descr];
  const need = count * size;
  const have = bytes.length - dataStart;
  if (have !== need) {
    throw new DataError(
      have < need ? 'npy-truncated' : 'npy-trailing',
      `${source}: .npy payload is ${have} bytes; shape (${shape.join(', ')}) of '${descr}' needs exactly ${need}`,
    );
  }
  if (size > 1 && !HOST_LITTLE_ENDIAN) {
    throw new DataError('npy-endian', `${source}: this machine is big-endian; reading little-endian .npy arrays is not implemented`);
  }
  const buf = bytes.slice(dataStart).buffer; // fresh, aligned copy
  return { descr, shape, data: make(buf), version };
}

/** Read a `.npy` file from disk. */
export function readNpyFile(path: string): NpyArray {
  return parseNpy(readBytes(path, '.npy file'), path);
}

// ---- .npz ------------------------------------------------------------------------------------------

/** CRC-32 of every member, read from the zip central directory (handles zip64 end records). */
function centralDirectoryCrcs(bytes: Uint8Array, source: string): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (what: string): never => {
    throw new DataError('npz-corrupt', `${source}: not a valid zip/.npz file (${what}); the file may be truncated`);
  };
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) corrupt('no end-of-central-directory record');
  let entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((entries === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 20 + 8, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) corrupt('bad zip64 end record');
    entries = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const crcs = new Map<string, number>();
  const dec = new TextDecoder();
  let p = offset;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) corrupt(`central directory entry ${k} missing`);
    const crc = view.getUint32(p + 16, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    if (p + 46 + nameLen > bytes.length) corrupt(`central directory entry ${k} truncated`);
    crcs.set(dec.decode(bytes.subarray(p + 46, p + 46 + nameLen)), crc);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return crcs;
}

/** Parse the bytes of an `.npz` file into arrays keyed by member name without `.npy` (e.g. `arr_0`). */
export function parseNpz(bytes: Uint8Array, source: string): Record<string, NpyArray> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError('npz-magic', `${source}: not a zip/.npz file: first bytes ${found || '(none)'}; expected 50 4b (PK)`);
  }
  const crcs = centralDirectoryCrcs(bytes, source);
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DataError('npz-corrupt', `${source}: zip/.npz cannot be decoded (${why}); the file is truncated or corrupt`, { cause: err });
  }
  const out: Record<string, NpyArray> = {};
  for (const [name, data] of Object.entries(members)) {
    if (name.endsWith('/')) continue;
    const expected = crcs.get(name);
    const actual = crc32(data) >>> 0;
    if (expected === undefined || expected >>> 0 !== actual) {
      throw new DataError(
        'npz-corrupt',
        `${source}: member '${name}' fails its CRC-32 check (stored ${expected === undefined ? 'none' : expected.toString(16)}, computed ${actual.toString(16)}); the file is corrupt`,
      );
    }
    if (!name.endsWith('.npy')) {
      throw new DataError('npz-member', `${source}: member '${name}' is not a .npy array; an .npz holds only *.npy members`);
    }
    out[name.slice(0, -4)] = parseNpy(data, `${source}:${name}`);
  }
  if (Object.keys(out).length === 0) throw new DataError('npz-empty', `${source}: .npz holds no arrays; expected at least arr_0.npy`);
  return out;
}

/** Read an `.npz` file from disk. */
export function readNpzFile(path: string): Record<string, NpyArray> {
  return parseNpz(readBytes(path, '.npz file'), path);
}

/** The one array `key` (default `arr_0`) of an `.npz`, with a clear error naming the keys present. */
export function npzArray(arrays: Record<string, NpyArray>, source: string, key = 'arr_0'): NpyArray {
  const a = arrays[key];
  if (!a) {
    throw new DataError(
      'npz-key',
      `${source}: no array '${key}' in the .npz; found ${Object.keys(arrays)
        .map((k) => `'${k}'`)
        .join(', ')}`,
    );
  }
  return a;
}

/** Integer values of an array as plain numbers (int64 must fit in ±2^53); floats and bools are errors. */
export function npyIntegers(a: NpyArray, source: string): number[] {
  if (a.descr === '<f4' || a.descr === '<f8' || a.descr === '|b1') {
    throw new DataError('npy-dtype', `${source}: expected an integer array, found dtype '${a.descr}'`);
  }
  const out: number[] = new Array(a.data.length);
  for (let i = 0; i < a.data.length; i++) {
    const v = a.data[i];
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new DataError('npy-range', `${source}: value ${v} at flat index ${i} does not fit a JavaScript number`);
      }
      out[i] = Number(v);
    } else out[i] = v;
  }
  return out;
}

// ---- writing (tests and tools) ---------------------------------------------------------------------

const DESCR_OF: Array<[new (...a: never[]) => NpyData, NpyDescr]> = [
  [Uint8Array, '|u1'],
  [Int8Array, '|i1'],
  [Uint16Array, '<u2'],
  [Int16Array, '<i2'],
  [Uint32Array, '<u4'],
  [Int32Array, '<i4'],
  [Float32Array, '<f4'],
  [Float64Array, '<f8'],
  [BigInt64Array, '<i8'],
  [BigUint64Array, '<u8'],
];

export interface EncodeNpyOptions {
  /** Header version to write (default 1). */
  version?: 1 | 2 | 3;
  /** Override the descr written (to build bad files in tests). */
  descr?: string;
  fortranOrder?: boolean;
}

/** Encode a typed array as `.npy` bytes (header padded so the data starts on a 64-byte boundary). */
export function encodeNpy(data: NpyData, shape: readonly number[], opts: EncodeNpyOptions = {}): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new DataError('npy-shape', `encodeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  }
  const version = opts.version ?? 1;
  const descr = opts.descr ?? DESCR_OF.find(([ctor]) => data instanceof ctor)![1];
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - pre - 1, ' ')}\n`;
  const headerBytes = new TextEncoder().encode(header);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(pre + headerBytes.length + body.length);
  out.set(NPY_MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, pre);
  out.set(body, pre + headerBytes.length);
  return out;
}

/** Encode `.npz` bytes from named `.npy` payloads (names without `.npy`), deflated unless `compress` is false. */
export function encodeNpz(members: Record<string, Uint8Array>, compress = true): Uint8Array {
  const files: Zippable = {};
  for (const [name, bytes] of Object.entries(members)) files[`${name}.npy`] = bytes;
  return zipSync(files, { level: compress ? 6 : 0 });
}
