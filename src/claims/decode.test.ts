// Tests of the record decoders (decode.ts): values of the declared shape come back as they were (undeclared
// fields kept, absent optional fields absent); any other shape is a ClaimError 'record-shape' naming the field's
// path, what was expected and what was found. The @ts-expect-error lines are checked by `tsc`: a decoder
// that misses a field of its interface, or has one the interface does not, does not compile.

import { describe, expect, it } from 'vitest';
import { ClaimError } from '../errors.ts';
import { array, boolean, decodeAt, literal, nullable, number, object, optional, pair, string, type Decoder } from './decode.ts';

interface Inner {
  readonly accuracy: number;
  readonly interval: readonly [number, number];
}
interface Outer {
  readonly seed: number;
  readonly label: string;
  readonly ok: boolean;
  readonly reading: 'grid' | 'sum-direction';
  readonly best: Inner | null;
  readonly runs: Inner[];
  readonly note?: string;
}

const inner = object<Inner>({ accuracy: number, interval: pair(number, number) });
const outer: Decoder<Outer> = object<Outer>({
  seed: number,
  label: string,
  ok: boolean,
  reading: literal('grid', 'sum-direction'),
  best: nullable(inner),
  runs: array(inner),
  note: optional(string),
});

const good = { seed: 1, label: 'a', ok: true, reading: 'grid', best: null, runs: [{ accuracy: 0.5, interval: [0.4, 0.6] }], extra: 'ignored' };

function errorOf(fn: () => unknown): ClaimError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClaimError);
    return err as ClaimError;
  }
  throw new ClaimError('test', 'expected a ClaimError, nothing was thrown');
}

describe('record decoders', () => {
  it('return a value of the declared shape as it was, undeclared fields included', () => {
    expect(outer(good, '')).toEqual(good);
    expect('note' in outer(good, '')).toBe(false);
    expect(outer({ ...good, note: 'n' }, '').note).toBe('n');
  });

  it('name the path of the field that differs, what was expected and what was found', () => {
    const e = errorOf(() => decodeAt(outer, { ...good, runs: [good.runs[0], { accuracy: '1', interval: [0, 1] }] }, 'claims/x.json', 'measurement'));
    expect(e.code).toBe('record-shape');
    expect(e.message).toBe('claims/x.json: measurement.runs[1].accuracy: expected a number, found the string "1"');
    expect(errorOf(() => outer({ ...good, reading: 'other' }, 'm')).message).toBe('m.reading: expected "grid" or "sum-direction", found the string "other"');
    expect(errorOf(() => outer({ ...good, best: { accuracy: 1, interval: [1] } }, 'm')).message).toBe(
      'm.best.interval: expected an array of 2, found an array of 1',
    );
    expect(errorOf(() => outer({ ...good, seed: undefined }, '')).message).toBe('seed: expected a number, found nothing (the field is missing)');
    expect(errorOf(() => outer([], 'measurement')).message).toBe('measurement: expected an object, found an array of 0');
    expect(errorOf(() => outer({ ...good, note: null }, 'm')).message).toBe('m.note: expected a string, found null');
  });

  it('are checked against their interface by the compiler', () => {
    // @ts-expect-error — `ok` is missing: every field of the interface needs a decoder.
    object<Pick<Outer, 'seed' | 'ok'>>({ seed: number });
    // @ts-expect-error — `okay` is not a field of the interface.
    object<Pick<Outer, 'seed'>>({ seed: number, okay: boolean });
    // @ts-expect-error — `seed` is a number, not a string.
    object<Pick<Outer, 'seed'>>({ seed: string });
    expect(true).toBe(true);
  });
});
