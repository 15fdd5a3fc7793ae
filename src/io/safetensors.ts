// The Hugging Face safetensors format, read and written on plain typed arrays (no tfjs), so checkpoints are
// usable without a backend and open directly in PyTorch (`safetensors.torch.load_file`). Layout: an 8-byte
// little-endian u64 header length N, N bytes of UTF-8 JSON
// `{ "__metadata__": { string: string }, name: { dtype, shape, data_offsets: [begin, end] }, ... }` padded
// with spaces to a multiple of 8, then the data buffer (offsets relative to its start). The writer lays
// bytes out exactly as the reference writer does; the decoder validates everything a corrupt or hostile
// file could get wrong, and every error names the file, the field, what it found and what it expected.

import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

/** The typed array that holds each dtype. F16 and BF16 are kept as raw 16-bit patterns. */
export interface DtypeArrays {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  U64: BigUint64Array;
  I32: Int32Array;
  U32: Uint32Array;
  I16: Int16Array;
  U16: Uint16Array;
  I8: Int8Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

export type Dtype = keyof DtypeArrays;

/** One tensor: a dtype, a shape (row-major; [] for a scalar) and its elements. */
export type Tensor<D extends Dtype = Dtype> = D extends Dtype ? { dtype: D; shape: number[]; data: DtypeArrays[D] } : never;

export type TensorMap = Record<string, Tensor>;

export interface SafetensorsFile {
  tensors: TensorMap;
  metadata: Record<string, string>;
}

type ArrayCtor = { new (buffer: ArrayBuffer, byteOffset: number, length: number): DtypeArrays[Dtype]; BYTES_PER_ELEMENT: number };

const CTORS: Record<Dtype, ArrayCtor> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
  I32: Int32Array,
  U32: Uint32Array,
  I16: Int16Array,
  U16: Uint16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} as unknown as Record<Dtype, ArrayCtor>;

/** Largest header accepted, as in the reference implementation (guards against absurd allocations). */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const TENSOR_FIELDS = ['dtype', 'shape', 'data_offsets'];

/** Bytes per element of a dtype. */
export function dtypeSize(dtype: Dtype): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(CTORS, value);
}

function fail(code: string, message: string): never {
  throw new CheckpointError(code, message);
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndianHost(where: string): void {
  if (!hostIsLittleEndian) fail('host-endianness', `${where}: safetensors is little-endian and this host is big-endian`);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

function checkTensorForWrite(name: string, t: Tensor): void {
  const where = `tensor "${name}"`;
  if (name === '' || name === METADATA_KEY) fail('tensor-name', `${where}: the name must be non-empty and not "${METADATA_KEY}"`);
  if (!isDtype(t.dtype)) fail('dtype-unknown', `${where}: unknown dtype ${describe(t.dtype)}, expected one of ${Object.keys(CTORS).join(', ')}`);
  if (!isShape(t.shape)) fail('shape-invalid', `${where}: shape ${describe(t.shape)} is not an array of non-negative integers`);
  const ctor = CTORS[t.dtype];
  if (!(t.data instanceof (ctor as unknown as typeof Uint8Array))) {
    fail('data-type', `${where}: dtype ${t.dtype} needs a ${ctor.name}, got ${t.data?.constructor?.name ?? typeof t.data}`);
  }
  const n = elementCount(t.shape);
  if (t.data.length !== n) fail('size-mismatch', `${where}: shape [${t.shape.join(', ')}] has ${n} elements, data has ${t.data.length}`);
}

function checkMetadataForWrite(metadata: Record<string, string>): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') fail('metadata-invalid', `metadata "${key}": value must be a string, got ${describe(value)}`);
  }
}

/**
 * The reference writer's order of dtypes (its `Dtype` enum, increasing alignment). Tensors are stored by
 * decreasing rank, then by name, so that every tensor starts at a multiple of its element size: readers
 * (ours, numpy, torch) can view the bytes in place.
 */
const DTYPE_RANK: Dtype[] = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

/** Names compared as UTF-8 bytes, as the reference (Rust `String` ordering) does. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function storageOrder(tensors: TensorMap): Array<[string, Tensor]> {
  return Object.entries(tensors).sort(([an, a], [bn, b]) => DTYPE_RANK.indexOf(b.dtype) - DTYPE_RANK.indexOf(a.dtype) || compareNames(an, bn));
}

/** The header JSON (unpadded) and the tensors in storage order. */
function buildHeader(tensors: TensorMap, metadata?: Record<string, string>): { json: string; order: Array<[string, Tensor]> } {
  const order = storageOrder(tensors);
  // JSON text built from entries, not from an object: keys keep storage order even when they look like
  // integers ("0" would otherwise jump ahead), and a tensor named "__proto__" stays an ordinary key.
  const entries: Array<[string, unknown]> = metadata === undefined ? [] : [[METADATA_KEY, metadata]];
  let offset = 0;
  for (const [name, t] of order) {
    const end = offset + t.data.byteLength;
    entries.push([name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] }]);
    offset = end;
  }
  const json = `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
  return { json, order };
}

/**
 * Encodes tensors and optional string metadata into safetensors bytes, byte for byte as the reference
 * writer (`safetensors.serialize`) lays them out: header `{"__metadata__": ..., tensors in storage order}`
 * as compact JSON padded with spaces to a multiple of 8; data contiguous, largest element size first, then
 * by name (see DTYPE_RANK), so every tensor is aligned. `metadata` undefined omits `__metadata__`.
 */
export function encodeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  requireLittleEndianHost('encodeSafetensors');
  for (const [name, t] of Object.entries(tensors)) checkTensorForWrite(name, t);
  if (metadata !== undefined) checkMetadataForWrite(metadata);
  const { json, order } = buildHeader(tensors, metadata);
  const headerBytes = new TextEncoder().encode(json);
  const headerLength = Math.ceil(headerBytes.length / 8) * 8;
  const dataLength = order.reduce((s, [, t]) => s + t.data.byteLength, 0);
  const out = new Uint8Array(8 + headerLength + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(headerBytes, 8);
  out.fill(0x20, 8 + headerBytes.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, { data: d }] of order) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((d) => Number.isSafeInteger(d) && d >= 0);
}

function readHeaderLength(bytes: Uint8Array, source: string): number {
  if (bytes.length < 8) fail('file-too-short', `${source}: ${bytes.length} bytes, a safetensors file needs at least 8 (the header length)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail('header-too-large', `${source}: header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (n > BigInt(bytes.length - 8)) {
    fail('header-truncated', `${source}: header length ${n} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);
  }
  return Number(n);
}

function parseHeaderJson(bytes: Uint8Array, n: number, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header-utf8', `${source}: the ${n}-byte header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) fail('header-json', `${source}: the header must start with "{", found ${describe(text.slice(0, 16))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail('header-json', `${source}: the header is not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('header-json', `${source}: the header must be a JSON object, found ${describe(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('metadata-invalid', `${source}: "${METADATA_KEY}" must be an object of strings, found ${describe(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail('metadata-invalid', `${source}: "${METADATA_KEY}.${key}" must be a string, found ${describe(v)}`);
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

interface TensorEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, value: unknown, source: string): TensorEntry {
  const where = `${source}: tensor "${name}"`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('tensor-entry', `${where}: entry must be an object, found ${describe(value)}`);
  const e = value as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!TENSOR_FIELDS.includes(key)) fail('tensor-entry', `${where}: unexpected field "${key}", expected only ${TENSOR_FIELDS.join(', ')}`);
  }
  if (!isDtype(e.dtype)) fail('dtype-unknown', `${where}: dtype ${describe(e.dtype)} is not one of ${Object.keys(CTORS).join(', ')}`);
  if (!isShape(e.shape)) fail('shape-invalid', `${where}: shape ${describe(e.shape)} is not an array of non-negative integers`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[0] > off[1]) {
    fail('offsets-invalid', `${where}: data_offsets ${describe(off)} is not [begin, end] with integers 0 <= begin <= end`);
  }
  const expected = elementCount(e.shape) * dtypeSize(e.dtype);
  if (!Number.isSafeInteger(expected) || off[1] - off[0] !== expected) {
    fail(
      'size-mismatch',
      `${where}: data_offsets [${off[0]}, ${off[1]}] span ${off[1] - off[0]} bytes, shape [${e.shape.join(', ')}] of ${e.dtype} needs ${expected}`,
    );
  }
  return { name, dtype: e.dtype, shape: e.shape, begin: off[0], end: off[1] };
}

/** The entries must tile [0, bufferLength) exactly: no gaps, no overlaps, nothing past or after the end. */
function checkCoverage(entries: TensorEntry[], bufferLength: number, source: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = '(start of buffer)';
  for (const e of sorted) {
    if (e.begin < at) fail('offsets-overlap', `${source}: tensor "${e.name}" begins at byte ${e.begin}, inside ${prev} which ends at ${at}`);
    if (e.begin > at) fail('offsets-hole', `${source}: bytes ${at}..${e.begin} of the data buffer belong to no tensor (before "${e.name}")`);
    at = e.end;
    prev = `"${e.name}"`;
  }
  if (at > bufferLength) fail('data-truncated', `${source}: tensors need ${at} data bytes, the file holds ${bufferLength}`);
  if (at < bufferLength) fail('trailing-bytes', `${source}: ${bufferLength - at} bytes after the last tensor (data ends at ${at}, buffer is ${bufferLength})`);
}

/** A typed array over the tensor bytes: a view when aligned, a copy otherwise. */
function tensorData(bytes: Uint8Array, start: number, e: TensorEntry): DtypeArrays[Dtype] {
  const ctor = CTORS[e.dtype];
  const offset = bytes.byteOffset + start + e.begin;
  const length = (e.end - e.begin) / ctor.BYTES_PER_ELEMENT;
  if (offset % ctor.BYTES_PER_ELEMENT === 0) return new ctor(bytes.buffer as ArrayBuffer, offset, length);
  const copy = new Uint8Array(e.end - e.begin);
  copy.set(bytes.subarray(start + e.begin, start + e.end));
  return new ctor(copy.buffer, 0, length);
}

/**
 * Decodes and fully validates safetensors bytes. `sourceName` (a path) is named in every error. The typed
 * arrays are views into `bytes` where alignment allows, copies otherwise: copy `bytes` first if it will
 * be reused.
 */
export function decodeSafetensors(bytes: Uint8Array, sourceName: string): SafetensorsFile {
  requireLittleEndianHost(sourceName);
  const n = readHeaderLength(bytes, sourceName);
  const header = parseHeaderJson(bytes, n, sourceName);
  // The reference reader accepts `"__metadata__": null` (an absent Option) as no metadata.
  const rawMetadata = header[METADATA_KEY];
  const metadata = Object.hasOwn(header, METADATA_KEY) && rawMetadata !== null ? parseMetadata(rawMetadata, sourceName) : {};
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => parseEntry(name, value, sourceName));
  const start = 8 + n;
  checkCoverage(entries, bytes.length - start, sourceName);
  const tensors: TensorMap = Object.fromEntries(entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, data: tensorData(bytes, start, e) } as Tensor]));
  return { tensors, metadata };
}

// ---------------------------------------------------------------------------------------------------------
// Files

/** Reads and validates a safetensors file. */
export function readSafetensorsFile(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file-missing' : 'file-unreadable';
    throw new CheckpointError(code, `${path}: cannot read safetensors file (${(err as Error).message})`, { cause: err });
  }
  return decodeSafetensors(bytes, path);
}

/** Writes tensors and metadata to a safetensors file atomically (temp file, fsync, rename). */
export function writeSafetensorsFile(path: string, tensors: TensorMap, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
