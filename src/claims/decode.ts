// Decoders: reading JSON back (a claim record in reports/claims/<id>.json) into a typed value, checked field by
// field. A decoder is written against the TypeScript interface it produces — `object<T>({...})` needs one
// decoder for every field of T, of that field's type — so renaming or retyping a field of a measurement fails
// to compile until its decoder follows. On input of another shape it throws a ClaimError 'record-shape' that
// names the field's path (e.g. `measurement[0].grid.removeKey.accuracy`), what was expected and what was
// found. Fields the interface does not declare are kept unchecked, so a record may carry more than is read.

import { ClaimError } from '../errors.ts';

/** Checks `json` (found at `path`) and returns it as a T, or throws a ClaimError naming the path. */
export type Decoder<T> = (json: unknown, path: string) => T;

/** One decoder per field of T (optional fields: `optional(...)`). */
export type Fields<T> = { readonly [K in keyof T]-?: Decoder<T[K]> };

function describe(json: unknown): string {
  if (json === undefined) return 'nothing (the field is missing)';
  if (json === null) return 'null';
  if (Array.isArray(json)) return `an array of ${json.length}`;
  if (typeof json === 'object') return 'an object';
  if (typeof json === 'string') return `the string ${JSON.stringify(json.length > 40 ? `${json.slice(0, 40)}…` : json)}`;
  return `${typeof json} ${String(json)}`;
}

function mismatch(path: string, expected: string, json: unknown): never {
  throw new ClaimError('record-shape', `${path || '(the value)'}: expected ${expected}, found ${describe(json)}`);
}

export const number: Decoder<number> = (json, path) => (typeof json === 'number' ? json : mismatch(path, 'a number', json));
export const string: Decoder<string> = (json, path) => (typeof json === 'string' ? json : mismatch(path, 'a string', json));
export const boolean: Decoder<boolean> = (json, path) => (typeof json === 'boolean' ? json : mismatch(path, 'true or false', json));
/** Any JSON value, unchecked (a value the reader does not look into, e.g. a registry value shown as JSON). */
export const anyJson: Decoder<unknown> = (json) => json;

/** One of the given strings. */
export function literal<const T extends readonly string[]>(...values: T): Decoder<T[number]> {
  return (json, path) =>
    typeof json === 'string' && (values as readonly string[]).includes(json)
      ? (json as T[number])
      : mismatch(path, values.map((v) => JSON.stringify(v)).join(' or '), json);
}

export function nullable<T>(decode: Decoder<T>): Decoder<T | null> {
  return (json, path) => (json === null ? null : decode(json, path));
}

/** An optional field: absent (undefined) is accepted. */
export function optional<T>(decode: Decoder<T>): Decoder<T | undefined> {
  return (json, path) => (json === undefined ? undefined : decode(json, path));
}

export function array<T>(decode: Decoder<T>): Decoder<T[]> {
  return (json, path) => (Array.isArray(json) ? json.map((x, i) => decode(x, `${path}[${i}]`)) : mismatch(path, 'an array', json));
}

export function pair<A, B>(first: Decoder<A>, second: Decoder<B>): Decoder<readonly [A, B]> {
  return (json, path) =>
    Array.isArray(json) && json.length === 2 ? ([first(json[0], `${path}[0]`), second(json[1], `${path}[1]`)] as const) : mismatch(path, 'an array of 2', json);
}

function isRecord(json: unknown): json is Record<string, unknown> {
  return json !== null && typeof json === 'object' && !Array.isArray(json);
}

/**
 * An object with every field of T checked by its decoder; absent optional fields stay absent, and fields T
 * does not declare are kept as they are (a record is read back whole, never trimmed).
 */
export function object<T>(fields: Fields<T>): Decoder<T> {
  const keys = Object.keys(fields) as Array<keyof T & string>;
  return (json, path) => {
    if (!isRecord(json)) return mismatch(path, 'an object', json);
    const out: Record<string, unknown> = { ...json };
    for (const key of keys) {
      const value = fields[key](json[key], path ? `${path}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    // Every field of T was checked by its own decoder above (Fields<T> has one for each key).
    return out as T;
  };
}

/** Reads `json` with `decode`; a mismatch's message is prefixed with `where` (a file, a record). */
export function decodeAt<T>(decode: Decoder<T>, json: unknown, where: string, path = ''): T {
  try {
    return decode(json, path);
  } catch (err) {
    if (err instanceof ClaimError && err.code === 'record-shape') throw new ClaimError('record-shape', `${where}: ${err.message}`, { cause: err });
    throw err;
  }
}
