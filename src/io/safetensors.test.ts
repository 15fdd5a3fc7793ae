import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.ts';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  readSafetensorsFile,
  writeSafetensorsFile,
  type Dtype,
  type Tensor,
  type TensorMap,
} from './safetensors.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytesOf(t: Tensor): number[] {
  return [...new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)];
}

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** A file with an arbitrary header (string, unvalidated) and data buffer, padded as the writer pads. */
function rawFile(header: string | object, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (pad) text = text.padEnd(Math.ceil(text.length / 8) * 8, ' ');
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected CheckpointError(${code})`).toBeInstanceOf(CheckpointError);
  expect((caught as CheckpointError).code).toBe(code);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

const f32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'F32', shape, data: Float32Array.from(data) });

// The reference tiny file, built by hand from the spec (https://github.com/huggingface/safetensors#format):
//   tensors  a: F32 [2] = [1, -2]      b: U8 [] (scalar) = 7      metadata { k: "v" }
//   bytes 0..8     88 00 00 00 00 00 00 00   header length N = 136 (0x88), little-endian u64
//   bytes 8..138   the 130-byte JSON below: "__metadata__" first, then the tensors in storage order
//                  (larger element size first: F32 "a" before U8 "b"), offsets contiguous from 0
//   bytes 138..144 20 20 20 20 20 20          6 spaces pad the header to 136, a multiple of 8
//   bytes 144..152 00 00 80 3f 00 00 00 c0    a = 1.0f (0x3f800000), -2.0f (0xc0000000), little-endian
//   byte  152      07                         b = 7
const TINY_JSON = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[],"data_offsets":[8,9]}}';
const TINY = new Uint8Array([
  ...hex('88 00 00 00 00 00 00 00'),
  ...new TextEncoder().encode(TINY_JSON),
  ...hex('20 20 20 20 20 20'),
  ...hex('00 00 80 3f 00 00 00 c0 07'),
]);
const TINY_TENSORS: TensorMap = { b: { dtype: 'U8', shape: [], data: Uint8Array.of(7) }, a: f32([2], [1, -2]) };

describe('safetensors byte layout', () => {
  it('hand-built reference file: 153 bytes with a 130-byte header', () => {
    expect(TINY_JSON.length).toBe(130);
    expect(TINY.length).toBe(153);
  });
  it('the encoder writes exactly the reference bytes', () => {
    expect([...encodeSafetensors(TINY_TENSORS, { k: 'v' })]).toEqual([...TINY]);
  });
  it('the decoder reads the reference bytes', () => {
    const { tensors, metadata } = decodeSafetensors(TINY, 'tiny.safetensors');
    expect(metadata).toEqual({ k: 'v' });
    expect(Object.keys(tensors).sort()).toEqual(['a', 'b']);
    expect(tensors.a.dtype).toBe('F32');
    expect(tensors.a.shape).toEqual([2]);
    expect([...tensors.a.data]).toEqual([1, -2]);
    expect(tensors.b).toMatchObject({ dtype: 'U8', shape: [] });
    expect([...tensors.b.data]).toEqual([7]);
  });
  it('stores tensors largest element size first, then by name, as the reference writer does', () => {
    const bytes = encodeSafetensors({
      a: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
      d: f32([1], [4]),
      c: f32([1], [5]),
      b: { dtype: 'F64', shape: [1], data: Float64Array.of(6) },
      e: { dtype: 'I16', shape: [1], data: Int16Array.of(7) },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
    expect(Object.keys(header)).toEqual(['b', 'c', 'd', 'e', 'a']);
    expect(Object.values(header).map((e) => e.data_offsets)).toEqual([
      [0, 8],
      [8, 12],
      [12, 16],
      [16, 18],
      [18, 21],
    ]);
  });
  it('matches the byte vectors of the reference implementation’s own tests', () => {
    // safetensors/src/tensor.rs, test_empty: no tensors → "{}" + 6 spaces; with metadata framework=pt →
    // a 35-byte header + 5 spaces (N = 40 = 0x28).
    expect([...encodeSafetensors({})]).toEqual([...hex('08 00 00 00 00 00 00 00 7b 7d 20 20 20 20 20 20')]);
    const withMeta = encodeSafetensors({}, { framework: 'pt' });
    expect([...withMeta.subarray(0, 8)]).toEqual([...hex('28 00 00 00 00 00 00 00')]);
    expect(new TextDecoder().decode(withMeta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
    // test_serialization_forced_alignement: "attn0" F32 [1,1,2,3] = 0..5 → a 65-byte header + 7 spaces
    // (N = 72 = 0x48), then 0.0f 1.0f 2.0f 3.0f 4.0f 5.0f little-endian.
    const attn = encodeSafetensors({ attn0: f32([1, 1, 2, 3], [0, 1, 2, 3, 4, 5]) });
    expect([...attn]).toEqual([
      ...hex('48 00 00 00 00 00 00 00'),
      ...new TextEncoder().encode('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '),
      ...hex('00000000 0000803f 00000040 00004040 00008040 0000a040'),
    ]);
  });
  it('omits __metadata__ when none is given and pads the header with spaces to a multiple of 8', () => {
    const bytes = encodeSafetensors({ x: f32([1], [3]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header).toBe('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'.padEnd(56, ' '));
    expect(decodeSafetensors(bytes, 'x').metadata).toEqual({});
  });
});

describe('safetensors round trip', () => {
  const all: TensorMap = {
    'blocks.0.attn.w_q': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([0.5, -1, 2, Number.NaN, Infinity, -0]) },
    f64: { dtype: 'F64', shape: [3], data: Float64Array.from([Math.PI, -1e300, 5e-324]) },
    i32: { dtype: 'I32', shape: [2, 1, 2], data: Int32Array.from([-2147483648, 2147483647, 0, -1]) },
    u32: { dtype: 'U32', shape: [1], data: Uint32Array.of(4294967295) },
    i16: { dtype: 'I16', shape: [2], data: Int16Array.of(-32768, 7) },
    u16: { dtype: 'U16', shape: [1], data: Uint16Array.of(65535) },
    f16: { dtype: 'F16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) },
    bf16: { dtype: 'BF16', shape: [1], data: Uint16Array.of(0x3f80) },
    i8: { dtype: 'I8', shape: [3], data: Int8Array.of(-128, 0, 127) },
    u8: { dtype: 'U8', shape: [1, 1], data: Uint8Array.of(255) },
    bool: { dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) },
    i64: { dtype: 'I64', shape: [1], data: BigInt64Array.of(-(2n ** 63n)) },
    u64: { dtype: 'U64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
    scalar: { dtype: 'F32', shape: [], data: Float32Array.of(42) },
    empty: { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
    empty2: { dtype: 'I64', shape: [3, 0], data: new BigInt64Array(0) },
    __proto__name: { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
  };

  it('every dtype, scalars and zero-size tensors survive bit for bit', () => {
    const back = decodeSafetensors(encodeSafetensors(all, { step: '100', note: 'ünïcødé' }), 'mem');
    expect(back.metadata).toEqual({ step: '100', note: 'ünïcødé' });
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(all).sort());
    for (const [name, t] of Object.entries(all)) {
      const b = back.tensors[name];
      expect(b.dtype, name).toBe(t.dtype);
      expect(b.shape, name).toEqual(t.shape);
      expect(b.data.constructor, name).toBe(t.data.constructor);
      expect(bytesOf(b), name).toEqual(bytesOf(t));
    }
  });

  it('integer-like names keep storage order in the header', () => {
    const bytes = encodeSafetensors({ b: f32([1], [1]), '0': f32([1], [2]), '10': f32([1], [3]) }, { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
    expect(text).toBe(
      '{"__metadata__":{"k":"v"},"0":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"10":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
    );
  });

  it('a tensor named "__proto__" stays an ordinary key', () => {
    const tensors = Object.fromEntries([['__proto__', f32([1], [9])]]) as TensorMap;
    const back = decodeSafetensors(encodeSafetensors(tensors), 'mem');
    expect(Object.keys(back.tensors)).toEqual(['__proto__']);
    // biome-ignore lint/suspicious/noProto: the test is about a tensor named __proto__ (it must be an own key, not the prototype)
    expect([...back.tensors.__proto__.data]).toEqual([9]);
  });

  it('copies misaligned data into aligned typed arrays', () => {
    // Our writer never misaligns, but other writers may: here "b" (F32) sits at buffer offset 1.
    const header = { a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'F32', shape: [2], data_offsets: [1, 9] } };
    const data = new Uint8Array(9);
    data[0] = 1;
    new DataView(data.buffer).setFloat32(1, 1.5, true);
    new DataView(data.buffer).setFloat32(5, -2.5, true);
    const bytes = rawFile(header, data);
    const back = decodeSafetensors(bytes, 'mem');
    expect(back.tensors.b.data).toBeInstanceOf(Float32Array);
    expect([...back.tensors.b.data]).toEqual([1.5, -2.5]);
    expect(back.tensors.b.data.buffer).not.toBe(bytes.buffer);
    expect([...back.tensors.a.data]).toEqual([1]);
    // Decoding from a subarray at an odd byte offset also works.
    const aligned = encodeSafetensors({ b: f32([2], [1.5, -2.5]) });
    const shifted = new Uint8Array(aligned.length + 1);
    shifted.set(aligned, 1);
    expect([...decodeSafetensors(shifted.subarray(1), 'mem').tensors.b.data]).toEqual([1.5, -2.5]);
  });

  it('aligned data is viewed in place, not copied', () => {
    const bytes = encodeSafetensors({ w: f32([2], [1, 2]) });
    expect(decodeSafetensors(bytes, 'mem').tensors.w.data.buffer).toBe(bytes.buffer);
  });

  it('files: write atomically, read back, no temp files left', () => {
    const path = join(dir, 'nested', 'ckpt.safetensors');
    writeSafetensorsFile(path, TINY_TENSORS, { k: 'v' });
    expect([...readFileSync(path)]).toEqual([...TINY]);
    expect([...readSafetensorsFile(path).tensors.a.data]).toEqual([1, -2]);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['ckpt.safetensors']);
  });

  it('a missing file is a CheckpointError naming the path', () => {
    expectCode(() => readSafetensorsFile(join(dir, 'nope.safetensors')), 'file-missing', /nope\.safetensors/);
  });
});

describe('safetensors encoder rejects bad input', () => {
  it('data type, length, name and metadata', () => {
    expectCode(() => encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float64Array(2) } as unknown as Tensor }), 'data-type', /"a".*Float32Array/);
    expectCode(() => encodeSafetensors({ a: f32([2, 2], [1, 2, 3]) }), 'size-mismatch', /4 elements, data has 3/);
    expectCode(() => encodeSafetensors({ a: f32([-1], []) }), 'shape-invalid');
    expectCode(() => encodeSafetensors({ a: { dtype: 'F8', shape: [], data: new Uint8Array(1) } as unknown as Tensor }), 'dtype-unknown');
    expectCode(() => encodeSafetensors({ '': f32([], [1]) }), 'tensor-name');
    expectCode(() => encodeSafetensors({ __metadata__: f32([], [1]) }), 'tensor-name');
    expectCode(() => encodeSafetensors({}, { k: 3 as unknown as string }), 'metadata-invalid', /"k"/);
  });
});

describe('safetensors decoder rejects corrupt files', () => {
  const four = new Uint8Array(4);
  const eight = new Uint8Array(8);
  const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

  it('file shorter than the length field', () => {
    for (const n of [0, 1, 7]) expectCode(() => decodeSafetensors(TINY.subarray(0, n), 'short.st'), 'file-too-short', /short\.st: \d bytes/);
  });
  it('header length beyond the file or absurd', () => {
    expectCode(() => decodeSafetensors(TINY.subarray(0, 8), 'f'), 'header-truncated', /header length 136/);
    expectCode(() => decodeSafetensors(TINY.subarray(0, 100), 'f'), 'header-truncated');
    const huge = TINY.slice();
    new DataView(huge.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expectCode(() => decodeSafetensors(huge, 'f'), 'header-too-large');
    huge[7] = 0xff; // the high byte: a length near 2^64
    expectCode(() => decodeSafetensors(huge, 'f'), 'header-too-large');
  });
  it('truncation inside the data buffer', () => {
    for (const n of [144, 148, 152]) expectCode(() => decodeSafetensors(TINY.subarray(0, n), 'f'), 'data-truncated', /need 9 data bytes/);
  });
  it('trailing bytes after the last tensor', () => {
    const longer = new Uint8Array(TINY.length + 3);
    longer.set(TINY);
    expectCode(() => decodeSafetensors(longer, 'f'), 'trailing-bytes', /3 bytes after the last tensor/);
  });
  it('header that is not UTF-8, not JSON, or not an object', () => {
    const bad = TINY.slice();
    bad[20] = 0xff;
    expectCode(() => decodeSafetensors(bad, 'f'), 'header-utf8');
    expectCode(() => decodeSafetensors(rawFile('{"a": '), 'f'), 'header-json', /not valid JSON/);
    expectCode(() => decodeSafetensors(rawFile('[1, 2]'), 'f'), 'header-json', /start with "\{"/);
    expectCode(() => decodeSafetensors(rawFile('null'), 'f'), 'header-json');
    expectCode(() => decodeSafetensors(rawFile(' {}'), 'f'), 'header-json');
    const flipped = TINY.slice();
    flipped[8] = '['.charCodeAt(0);
    expectCode(() => decodeSafetensors(flipped, 'f'), 'header-json');
  });
  it('an empty header object is a valid file with no tensors', () => {
    expect(decodeSafetensors(rawFile({}), 'f')).toEqual({ tensors: {}, metadata: {} });
  });
  it('tensor entries: not an object, unknown field, unknown dtype', () => {
    expectCode(() => decodeSafetensors(rawFile({ a: [1] }), 'f'), 'tensor-entry', /"a".*must be an object/);
    expectCode(() => decodeSafetensors(rawFile({ a: { ...entry('F32', [1], [0, 4]), extra: 1 } }, four), 'f'), 'tensor-entry', /"extra"/);
    expectCode(() => decodeSafetensors(rawFile({ a: entry('F33', [1], [0, 4]) }, four), 'f'), 'dtype-unknown', /"a".*"F33"/);
    expectCode(() => decodeSafetensors(rawFile({ a: entry(undefined, [1], [0, 4]) }, four), 'f'), 'dtype-unknown');
  });
  it('shapes that are not arrays of non-negative integers', () => {
    const shapes: unknown[] = [[-1], [1.5], '4', [null], { 0: 4 }, [2, '2'], [2 ** 53]];
    for (const shape of shapes) expectCode(() => decodeSafetensors(rawFile({ a: entry('U8', shape, [0, 4]) }, four), 'f'), 'shape-invalid', /"a".*shape/);
    // Integers whose product overflows exact arithmetic cannot match any offsets.
    expectCode(() => decodeSafetensors(rawFile({ a: entry('F64', [2 ** 30, 2 ** 30], [0, 4]) }, four), 'f'), 'size-mismatch');
  });
  it('data_offsets that are not [begin, end] integers', () => {
    for (const off of [[0], [0, 4, 8], [4, 0], [0.5, 4], [-1, 3], '0,4', null, [0, '4']]) {
      expectCode(() => decodeSafetensors(rawFile({ a: entry('U8', [4], off) }, four), 'f'), 'offsets-invalid', /"a".*data_offsets/);
    }
  });
  it('offsets that disagree with shape and dtype', () => {
    expectCode(() => decodeSafetensors(rawFile({ a: entry('F32', [2], [0, 4]) }, four), 'f'), 'size-mismatch', /span 4 bytes.*needs 8/);
    expectCode(() => decodeSafetensors(rawFile({ a: entry('F64', [], [0, 4]) }, four), 'f'), 'size-mismatch');
  });
  it('overlapping offsets, holes, a first tensor not at 0', () => {
    const overlap = { a: entry('U8', [4], [0, 4]), b: entry('U8', [4], [2, 6]) };
    expectCode(() => decodeSafetensors(rawFile(overlap, eight), 'f'), 'offsets-overlap', /"b" begins at byte 2, inside "a"/);
    const same = { a: entry('U8', [4], [0, 4]), b: entry('U8', [4], [0, 4]) };
    expectCode(() => decodeSafetensors(rawFile(same, four), 'f'), 'offsets-overlap');
    const hole = { a: entry('U8', [2], [0, 2]), b: entry('U8', [4], [4, 8]) };
    expectCode(() => decodeSafetensors(rawFile(hole, eight), 'f'), 'offsets-hole', /bytes 2\.\.4/);
    expectCode(() => decodeSafetensors(rawFile({ a: entry('U8', [4], [4, 8]) }, eight), 'f'), 'offsets-hole', /bytes 0\.\.4/);
    const emptyInside = { a: entry('U8', [4], [0, 4]), z: entry('U8', [0], [2, 2]) };
    expectCode(() => decodeSafetensors(rawFile(emptyInside, four), 'f'), 'offsets-overlap');
  });
  it('offsets that point past the data', () => {
    expectCode(() => decodeSafetensors(rawFile({ a: entry('U8', [8], [0, 8]) }, four), 'f'), 'data-truncated');
  });
  it('metadata that is not an object of strings', () => {
    expectCode(() => decodeSafetensors(rawFile({ __metadata__: { k: 1 } }), 'f'), 'metadata-invalid', /__metadata__\.k/);
    expectCode(() => decodeSafetensors(rawFile({ __metadata__: ['x'] }), 'f'), 'metadata-invalid');
    expectCode(() => decodeSafetensors(rawFile({ __metadata__: 'x' }), 'f'), 'metadata-invalid');
    // The reference reader takes `null` as "no metadata".
    expect(decodeSafetensors(rawFile({ __metadata__: null }), 'f').metadata).toEqual({});
  });
  it('every truncation and every single-byte change gives a CheckpointError or a valid decode, nothing else', () => {
    for (let n = 0; n < TINY.length; n++) expect(() => decodeSafetensors(TINY.subarray(0, n), 'f')).toThrow(CheckpointError);
    for (let i = 0; i < 8 + 136; i++) {
      for (const v of [0x00, 0x22, 0x30, 0x39, 0x5b, 0x7b, 0x7d, 0xff, TINY[i] ^ 0x01]) {
        const bad = TINY.slice();
        bad[i] = v;
        try {
          decodeSafetensors(bad, 'f');
        } catch (err) {
          expect(err, `byte ${i} = ${v}`).toBeInstanceOf(CheckpointError);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property: random tensor maps round-trip bit for bit.

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const exact = (n: number) => ({ minLength: n, maxLength: n });

function tensorArb(dtype: Dtype): fc.Arbitrary<Tensor> {
  return shapeArb.chain((shape) => {
    const n = exact(size(shape));
    const data: fc.Arbitrary<Tensor['data']> = {
      F64: fc.float64Array(n),
      F32: fc.float32Array(n),
      F16: fc.uint16Array(n),
      BF16: fc.uint16Array(n),
      I64: fc.bigInt64Array(n),
      U64: fc.bigUint64Array(n),
      I32: fc.int32Array(n),
      U32: fc.uint32Array(n),
      I16: fc.int16Array(n),
      U16: fc.uint16Array(n),
      I8: fc.int8Array(n),
      U8: fc.uint8Array(n),
      BOOL: fc.uint8Array({ ...n, max: 1 }),
    }[dtype];
    return data.map((d) => ({ dtype, shape, data: d }) as Tensor);
  });
}

const dtypes: Dtype[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'U64', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL'];
const tensorMapArb = fc.dictionary(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).filter((s) => s !== '__metadata__'),
  fc.constantFrom(...dtypes).chain(tensorArb),
  { maxKeys: 6 },
);
const metadataArb = fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 10 }), { maxKeys: 3 }), { nil: undefined });

describe(seedTitle('safetensors round-trip property'), PROPERTY, () => {
  it('decode(encode(x)) equals x byte for byte, and encode is deterministic', () => {
    fc.assert(
      fc.property(tensorMapArb, metadataArb, (tensors, metadata) => {
        const bytes = encodeSafetensors(tensors, metadata);
        expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
        const back = decodeSafetensors(bytes, 'prop');
        expect(back.metadata).toEqual(metadata ?? {});
        expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          expect(back.tensors[name].dtype).toBe(t.dtype);
          expect(back.tensors[name].shape).toEqual(t.shape);
          expect(bytesOf(back.tensors[name])).toEqual(bytesOf(t));
        }
        expect([...encodeSafetensors(back.tensors, back.metadata)]).toEqual(metadata === undefined ? [...encodeSafetensors(tensors, {})] : [...bytes]);
      }),
      fcParams(150),
    );
  });
});

describe('safetensors file errors', () => {
  it('a corrupt file on disk is reported with its path', () => {
    const path = join(dir, 'corrupt.safetensors');
    writeFileSync(path, TINY.subarray(0, 150));
    expectCode(() => readSafetensorsFile(path), 'data-truncated', /corrupt\.safetensors/);
  });
});
