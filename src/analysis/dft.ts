// The discrete Fourier transform over Z_n for any length n (the paper uses P = 23..47, mostly not powers of
// two). Fast path: fft.js (radix-4/2, power-of-two lengths) directly, and Bluestein's chirp-z algorithm on top
// of it for every other length. A direct O(n²) DFT is kept as the test reference and benchmark baseline.
// Everything the paper's Fourier analyses measure (Sec. 4.1 FVE / selective frequencies, Table 3 trig
// identities, Sec. 4.2 entropy) starts from these transforms.
//
// Convention: forward X[k] = Σ_x x[x]·e^{−2πi·kx/n}; inverse x[x] = (1/n)·Σ_k X[k]·e^{+2πi·kx/n}.
// 2-D transforms are separable: rows first (along the last axis), then columns.
// Complex arrays are split {re, im} Float64Arrays; real input may be passed as any array of numbers.

import FFT from 'fft.js';
import {
  MAX_MODULUS,
  MAX_SIGNAL_LENGTH,
  describeValue,
  fail,
  requireComplex,
  requireFiniteArray,
  requireInteger,
  requireModulus,
  requireUnits,
} from './validate.ts';

export interface ComplexArray {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Complex input: {re, im} with equal lengths. */
export interface ComplexInput {
  readonly re: ArrayLike<number>;
  readonly im: ArrayLike<number>;
}

/** A real signal (array of numbers) or a complex one. */
export type SignalInput = ArrayLike<number> | ComplexInput;

export type PlanKind = 'identity' | 'radix-2' | 'bluestein';

/** A transform plan for one length: in-place forward DFT of contiguous re/im arrays of that length. */
interface Plan {
  readonly n: number;
  readonly kind: PlanKind;
  forward(re: Float64Array, im: Float64Array): void;
}

/** The unchecked in-place transforms behind an engine (module-private: reached through ENGINE_INTERNALS). */
interface RawEngine {
  /** In-place forward DFT of re/im (equal lengths n ≥ 1). */
  forwardInPlace(re: Float64Array, im: Float64Array): void;
  /** In-place inverse DFT (with the 1/n factor). */
  inverseInPlace(re: Float64Array, im: Float64Array): void;
  /**
   * In-place DFT along the middle axis of data viewed as [outer, n, inner] row-major, for every
   * (outer, inner) line. The building block of the 2-D and batched transforms.
   */
  transformAxis(re: Float64Array, im: Float64Array, outer: number, n: number, inner: number, inverse: boolean): void;
  planKind(n: number): PlanKind;
}

const ENGINE_INTERNALS = Symbol('grokdiff.dft-engine');

/**
 * A DFT engine: an opaque owner of per-length plans (fft.js instances, Bluestein chirps and kernel spectra,
 * scratch buffers), passed as the optional last argument of the transforms. Plans depend only on n, so the
 * cache never changes results; an engine is not re-entrant (JavaScript is single-threaded, and no transform
 * calls back into user code).
 */
export interface DftEngine {
  /** Which algorithm serves length n: 'identity' (n = 1), 'radix-2' (powers of two), 'bluestein'. */
  planKind(n: number): PlanKind;
  readonly [ENGINE_INTERNALS]: RawEngine;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

function nextPowerOfTwo(n: number): number {
  let m = 2;
  while (m < n) m *= 2;
  return m;
}

function identityPlan(): Plan {
  return { n: 1, kind: 'identity', forward: () => undefined };
}

function radix2Plan(n: number, fft: FFT): Plan {
  const input = new Float64Array(2 * n);
  const output = new Float64Array(2 * n);
  return {
    n,
    kind: 'radix-2',
    forward(re, im) {
      for (let j = 0; j < n; j++) {
        input[2 * j] = re[j];
        input[2 * j + 1] = im[j];
      }
      fft.transform(output, input);
      for (let j = 0; j < n; j++) {
        re[j] = output[2 * j];
        im[j] = output[2 * j + 1];
      }
    },
  };
}

/**
 * Bluestein: X_k = w_k · Σ_j (x_j w_j) · conj(w_{k−j}) with the chirp w_j = e^{−iπ j²/n}, a circular
 * convolution of length M = 2^⌈log2(2n−1)⌉ computed with fft.js.
 */
function bluesteinPlan(n: number, fft: FFT): Plan {
  const m = fft.size;
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // j² mod 2n keeps the angle exact for large j (e^{−iπ j²/n} has period 2n in j²).
    const angle = (Math.PI * ((j * j) % (2 * n))) / n;
    chirpRe[j] = Math.cos(angle);
    chirpIm[j] = -Math.sin(angle);
  }
  const kernel = new Float64Array(2 * m);
  for (let j = 0; j < n; j++) {
    kernel[2 * j] = chirpRe[j];
    kernel[2 * j + 1] = -chirpIm[j];
    if (j > 0) {
      kernel[2 * (m - j)] = chirpRe[j];
      kernel[2 * (m - j) + 1] = -chirpIm[j];
    }
  }
  const kernelSpectrum = new Float64Array(2 * m);
  fft.transform(kernelSpectrum, kernel);
  const input = new Float64Array(2 * m); // entries ≥ 2n stay zero forever
  const spectrum = new Float64Array(2 * m);
  const product = new Float64Array(2 * m);
  const output = new Float64Array(2 * m);
  return {
    n,
    kind: 'bluestein',
    forward(re, im) {
      for (let j = 0; j < n; j++) {
        const cr = chirpRe[j];
        const ci = chirpIm[j];
        input[2 * j] = re[j] * cr - im[j] * ci;
        input[2 * j + 1] = re[j] * ci + im[j] * cr;
      }
      fft.transform(spectrum, input);
      for (let q = 0; q < 2 * m; q += 2) {
        const ar = spectrum[q];
        const ai = spectrum[q + 1];
        const br = kernelSpectrum[q];
        const bi = kernelSpectrum[q + 1];
        product[q] = ar * br - ai * bi;
        product[q + 1] = ar * bi + ai * br;
      }
      fft.inverseTransform(output, product);
      for (let k = 0; k < n; k++) {
        const cr = output[2 * k];
        const ci = output[2 * k + 1];
        re[k] = cr * chirpRe[k] - ci * chirpIm[k];
        im[k] = cr * chirpIm[k] + ci * chirpRe[k];
      }
    },
  };
}

/** A new engine with its own plan cache. */
export function createDftEngine(): DftEngine {
  const ffts = new Map<number, FFT>();
  const plans = new Map<number, Plan>();
  const fftOf = (size: number): FFT => {
    let f = ffts.get(size);
    if (!f) {
      f = new FFT(size);
      ffts.set(size, f);
    }
    return f;
  };
  const planFor = (n: number): Plan => {
    let plan = plans.get(n);
    if (!plan) {
      if (n === 1) plan = identityPlan();
      else if (isPowerOfTwo(n)) plan = radix2Plan(n, fftOf(n));
      else plan = bluesteinPlan(n, fftOf(nextPowerOfTwo(2 * n - 1)));
      plans.set(n, plan);
    }
    return plan;
  };
  const forwardInPlace = (re: Float64Array, im: Float64Array): void => planFor(re.length).forward(re, im);
  const inverseInPlace = (re: Float64Array, im: Float64Array): void => {
    // ifft(X) = conj(fft(conj(X))) / n
    const n = re.length;
    for (let j = 0; j < n; j++) im[j] = -im[j];
    planFor(n).forward(re, im);
    for (let j = 0; j < n; j++) {
      re[j] /= n;
      im[j] = -im[j] / n;
    }
  };
  const transformAxis = (re: Float64Array, im: Float64Array, outer: number, n: number, inner: number, inverse: boolean): void => {
    const lineRe = new Float64Array(n);
    const lineIm = new Float64Array(n);
    const run = inverse ? inverseInPlace : forwardInPlace;
    for (let o = 0; o < outer; o++) {
      const base = o * n * inner;
      for (let i = 0; i < inner; i++) {
        for (let j = 0, p = base + i; j < n; j++, p += inner) {
          lineRe[j] = re[p];
          lineIm[j] = im[p];
        }
        run(lineRe, lineIm);
        for (let j = 0, p = base + i; j < n; j++, p += inner) {
          re[p] = lineRe[j];
          im[p] = lineIm[j];
        }
      }
    }
  };
  const raw: RawEngine = { forwardInPlace, inverseInPlace, transformAxis, planKind: (n) => planFor(n).kind };
  return {
    planKind: (n: number) => raw.planKind(requireInteger(n, 'DftEngine.planKind: n', 1, MAX_SIGNAL_LENGTH)),
    [ENGINE_INTERNALS]: raw,
  };
}

/** The unchecked transforms of an engine argument (undefined → the shared engine). */
function rawEngine(engine: unknown, fn: string): RawEngine {
  if (engine === undefined) return sharedEngine[ENGINE_INTERNALS];
  if (engine === null || typeof engine !== 'object' || !(ENGINE_INTERNALS in engine)) {
    fail('bad-option', `${fn}: engine must come from createDftEngine(), got ${describeValue(engine)}`);
  }
  return (engine as DftEngine)[ENGINE_INTERNALS];
}

// The default engine behind the convenience functions below. It is a memo cache only: a plan is a pure
// function of its length, so sharing it never changes a result.
const sharedEngine = createDftEngine();

function isComplexInput(value: unknown): value is ComplexInput {
  return value !== null && typeof value === 'object' && 're' in value && 'im' in value;
}

/** Validated copy of a real or complex signal as split complex arrays. */
function toComplex(signal: unknown, name: string, length?: number, shape?: string): { re: Float64Array; im: Float64Array } {
  const spec = { maxLength: MAX_SIGNAL_LENGTH, ...(length !== undefined ? { length, shape } : {}) };
  if (isComplexInput(signal)) return requireComplex(signal, name, spec);
  const re = requireFiniteArray(signal, name, spec);
  return { re, im: new Float64Array(re.length) };
}

/** Forward DFT of a real or complex signal of any length n ≥ 1. */
export function dft(signal: SignalInput, engine?: DftEngine): ComplexArray {
  const x = toComplex(signal, 'dft: signal');
  rawEngine(engine, 'dft').forwardInPlace(x.re, x.im);
  return x;
}

/** Inverse DFT (with the 1/n factor) of a real or complex spectrum of any length n ≥ 1. */
export function idft(spectrum: SignalInput, engine?: DftEngine): ComplexArray {
  const x = toComplex(spectrum, 'idft: spectrum');
  rawEngine(engine, 'idft').inverseInPlace(x.re, x.im);
  return x;
}

function gridSize(rows: unknown, cols: unknown, fn: string): { rows: number; cols: number } {
  const r = requireInteger(rows, `${fn}: rows`, 1, MAX_MODULUS);
  const c = cols === undefined ? r : requireInteger(cols, `${fn}: cols`, 1, MAX_MODULUS);
  return { rows: r, cols: c };
}

function transform2d(grid: unknown, rows: unknown, cols: unknown, inverse: boolean, engineArg: unknown, fn: string): ComplexArray {
  const size = gridSize(rows, cols, fn);
  const engine = rawEngine(engineArg, fn);
  const x = toComplex(grid, `${fn}: grid`, size.rows * size.cols, `[rows, cols] = [${size.rows}, ${size.cols}]`);
  engine.transformAxis(x.re, x.im, size.rows, size.cols, 1, inverse); // along each row
  engine.transformAxis(x.re, x.im, 1, size.rows, size.cols, inverse); // then along each column
  return x;
}

/** Forward 2-D DFT of a [rows, cols] row-major grid (cols defaults to rows): rows first, then columns. */
export function dft2d(grid: SignalInput, rows: number, cols?: number, engine?: DftEngine): ComplexArray {
  return transform2d(grid, rows, cols, false, engine, 'dft2d');
}

/** Inverse 2-D DFT (with the 1/(rows·cols) factor) of a [rows, cols] row-major spectrum. */
export function idft2d(spectrum: SignalInput, rows: number, cols?: number, engine?: DftEngine): ComplexArray {
  return transform2d(spectrum, rows, cols, true, engine, 'idft2d');
}

/**
 * Per-unit DFT of a real activation block whose leading axes are Z_P axes and last axis is units:
 * `axes` = 1 for [P, units], 2 for [P*P, units] (row a*P + b). Returns the complex spectrum in the same
 * layout (row k for 1-D; row ka*P + kb for 2-D). Two real units are packed into one complex transform
 * (z = x_u + i·x_{u+1}) and separated with Hermitian symmetry, halving the work.
 */
function realBlockSpectrum(values: Float64Array, P: number, axes: 1 | 2, units: number, engine: RawEngine): ComplexArray {
  const pairs = Math.ceil(units / 2);
  const cells = axes === 2 ? P * P : P;
  const zRe = new Float64Array(cells * pairs);
  const zIm = new Float64Array(cells * pairs);
  for (let c = 0; c < cells; c++) {
    const src = c * units;
    const dst = c * pairs;
    for (let v = 0; v < pairs; v++) {
      zRe[dst + v] = values[src + 2 * v];
      zIm[dst + v] = 2 * v + 1 < units ? values[src + 2 * v + 1] : 0;
    }
  }
  if (axes === 2) {
    engine.transformAxis(zRe, zIm, P, P, pairs, false); // along b
    engine.transformAxis(zRe, zIm, 1, P, P * pairs, false); // along a
  } else {
    engine.transformAxis(zRe, zIm, 1, P, pairs, false);
  }
  const outRe = new Float64Array(cells * units);
  const outIm = new Float64Array(cells * units);
  for (let c = 0; c < cells; c++) {
    // the cell of the negated frequency (−k mod P along each axis)
    const neg = axes === 2 ? ((P - Math.floor(c / P)) % P) * P + ((P - (c % P)) % P) : (P - c) % P;
    for (let v = 0; v < pairs; v++) {
      const pr = zRe[c * pairs + v];
      const pi = zIm[c * pairs + v];
      const qr = zRe[neg * pairs + v];
      const qi = zIm[neg * pairs + v];
      // X_u = (Z[k] + conj Z[−k]) / 2 ; X_{u+1} = (Z[k] − conj Z[−k]) / (2i)
      outRe[c * units + 2 * v] = (pr + qr) / 2;
      outIm[c * units + 2 * v] = (pi - qi) / 2;
      if (2 * v + 1 < units) {
        outRe[c * units + 2 * v + 1] = (pi + qi) / 2;
        outIm[c * units + 2 * v + 1] = (qr - pr) / 2;
      }
    }
  }
  return { re: outRe, im: outIm };
}

/**
 * Per-unit 2-D DFT of a real activation block `valuesByPair` [P*P, units] (row a*P + b). Returns the
 * spectrum [P*P, units] with row ka*P + kb. The fast path of the FVE analysis.
 */
export function dft2dBlock(valuesByPair: ArrayLike<number>, P: number, units: number, engine?: DftEngine): ComplexArray {
  const p = requireModulus(P, 'dft2dBlock: P');
  const u = requireUnits(units, 'dft2dBlock: units');
  const raw = rawEngine(engine, 'dft2dBlock');
  const values = requireBlockValues(valuesByPair, 'dft2dBlock: valuesByPair', p * p, u, '[P*P, units]');
  return realBlockSpectrum(values, p, 2, u, raw);
}

/** Per-unit 1-D DFT of a real block `valuesBySymbol` [P, units]; spectrum [P, units] with row k. */
export function dftBlock(valuesBySymbol: ArrayLike<number>, P: number, units: number, engine?: DftEngine): ComplexArray {
  const p = requireModulus(P, 'dftBlock: P');
  const u = requireUnits(units, 'dftBlock: units');
  const raw = rawEngine(engine, 'dftBlock');
  const values = requireBlockValues(valuesBySymbol, 'dftBlock: valuesBySymbol', p, u, '[P, units]');
  return realBlockSpectrum(values, p, 1, u, raw);
}

function requireBlockValues(value: unknown, name: string, rows: number, units: number, layout: string): Float64Array {
  const length = rows * units;
  if (length > MAX_SIGNAL_LENGTH * 16) fail('out-of-range', `${name}: ${layout} = [${rows}, ${units}] is larger than supported`);
  return requireFiniteArray(value, name, { length, shape: `${layout} = [${rows}, ${units}] (${length} values)` });
}

// ---- The direct O(n²) reference -----------------------------------------------------------------------

/** cos/sin of 2π·m/n for m = 0..n−1 (exact angle reduction: callers index with (k·x) mod n). */
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    cos[m] = Math.cos((2 * Math.PI * m) / n);
    sin[m] = Math.sin((2 * Math.PI * m) / n);
  }
  return { cos, sin };
}

/** Direct DFT of contiguous re/im into out (sign −1 forward, +1 inverse; no 1/n). */
function directLine(
  re: Float64Array,
  im: Float64Array,
  outRe: Float64Array,
  outIm: Float64Array,
  tw: { cos: Float64Array; sin: Float64Array },
  sign: number,
): void {
  const n = re.length;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let x = 0, m = 0; x < n; x++, m = m + k >= n ? m + k - n : m + k) {
      const c = tw.cos[m];
      const s = sign * tw.sin[m];
      sr += re[x] * c - im[x] * s;
      si += re[x] * s + im[x] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
}

/** Direct O(n²) DFT: the reference for tests and the benchmark baseline. */
export function directDft(signal: SignalInput, direction: 'forward' | 'inverse' = 'forward'): ComplexArray {
  const x = toComplex(signal, 'directDft: signal');
  if (direction !== 'forward' && direction !== 'inverse') {
    fail('bad-option', `directDft: direction must be 'forward' or 'inverse', got ${String(direction)}`);
  }
  if (x.re.length > 1 << 16) fail('out-of-range', `directDft: signal length ${x.re.length} is too long for the O(n²) reference (max 65536)`);
  const n = x.re.length;
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  directLine(x.re, x.im, out.re, out.im, twiddles(n), direction === 'forward' ? -1 : 1);
  if (direction === 'inverse') {
    for (let k = 0; k < n; k++) {
      out.re[k] /= n;
      out.im[k] /= n;
    }
  }
  return out;
}

/**
 * Direct 2-D DFT by the definition X[kr, kc] = Σ_{r,c} x[r, c]·e^{−2πi(kr·r/rows + kc·c/cols)}
 * (a full double sum per output, O(rows²·cols²)): the test reference for dft2d.
 */
export function directDft2d(grid: SignalInput, rows: number, cols?: number): ComplexArray {
  const size = gridSize(rows, cols, 'directDft2d');
  const { rows: R, cols: C } = size;
  if (R * C > 4096) fail('out-of-range', `directDft2d: a ${R}×${C} grid is too large for the O(n⁴) reference (max 4096 cells)`);
  const x = toComplex(grid, 'directDft2d: grid', R * C, `[rows, cols] = [${R}, ${C}]`);
  const twR = twiddles(R);
  const twC = twiddles(C);
  const out = { re: new Float64Array(R * C), im: new Float64Array(R * C) };
  for (let kr = 0; kr < R; kr++) {
    for (let kc = 0; kc < C; kc++) {
      let sr = 0;
      let si = 0;
      for (let r = 0; r < R; r++) {
        const cr = twR.cos[(kr * r) % R];
        const srr = twR.sin[(kr * r) % R];
        for (let c = 0; c < C; c++) {
          // e^{−iθ} with θ = θr + θc
          const cc = twC.cos[(kc * c) % C];
          const sc = twC.sin[(kc * c) % C];
          const cosT = cr * cc - srr * sc;
          const sinT = srr * cc + cr * sc;
          const xr = x.re[r * C + c];
          const xi = x.im[r * C + c];
          sr += xr * cosT + xi * sinT;
          si += xi * cosT - xr * sinT;
        }
      }
      out.re[kr * C + kc] = sr;
      out.im[kr * C + kc] = si;
    }
  }
  return out;
}

/**
 * The per-unit 2-D DFT of a real block [P*P, units] computed separably with the direct O(P²) 1-D DFT
 * (rows then columns, O(P³) per unit): the benchmark baseline for dft2dBlock.
 */
export function directDft2dBlock(valuesByPair: ArrayLike<number>, P: number, units: number): ComplexArray {
  const p = requireModulus(P, 'directDft2dBlock: P');
  const u = requireUnits(units, 'directDft2dBlock: units');
  const values = requireBlockValues(valuesByPair, 'directDft2dBlock: valuesByPair', p * p, u, '[P*P, units]');
  const tw = twiddles(p);
  const re = values;
  const im = new Float64Array(values.length);
  const lineRe = new Float64Array(p);
  const lineIm = new Float64Array(p);
  const outRe = new Float64Array(p);
  const outIm = new Float64Array(p);
  const axis = (outer: number, inner: number): void => {
    for (let o = 0; o < outer; o++) {
      const base = o * p * inner;
      for (let i = 0; i < inner; i++) {
        for (let j = 0, q = base + i; j < p; j++, q += inner) {
          lineRe[j] = re[q];
          lineIm[j] = im[q];
        }
        directLine(lineRe, lineIm, outRe, outIm, tw, -1);
        for (let j = 0, q = base + i; j < p; j++, q += inner) {
          re[q] = outRe[j];
          im[q] = outIm[j];
        }
      }
    }
  };
  axis(p, u); // along b
  axis(1, p * u); // along a
  return { re, im };
}
