// The analysis library's fuzz properties, defined once and run by both the vitest file
// (src/analysis/inputs.fuzz.test.ts, short budget) and the script src/analysis/fuzz/run.ts (`npm run fuzz`,
// long budget). Every function exported from src/analysis/index.ts is called with arbitrary, mostly
// malformed input (NaN, ±Infinity, too-large values, empty or mis-sized arrays, P < 2, non-integer sizes,
// units = 0, junk options). The contract: it returns a result in which every number is finite, or it throws
// an AnalysisError with a known code and a message — never NaN, never another exception.

import fc from 'fast-check';
import { AnalysisError } from '../../errors.ts';
import * as api from '../index.ts';
import {
  BAD_SCALARS,
  arbFrequencyShares,
  fuzzArray,
  fuzzBlock,
  fuzzInteger,
  fuzzModulus,
  fuzzOptions,
  fuzzUnits,
  isSmallCount,
} from '../../../test-support/analysis-arbitraries.ts';
import type { AnalysisErrorCode } from '../validate.ts';

export interface FuzzTarget<T> {
  /** Name of the property (shown by vitest and the script). */
  readonly name: string;
  /** The exported functions of src/analysis/index.ts it exercises. */
  readonly covers: readonly string[];
  readonly input: fc.Arbitrary<T>;
  readonly call: (input: T) => unknown;
}

const KNOWN_CODES: ReadonlySet<AnalysisErrorCode> = new Set<AnalysisErrorCode>([
  'not-an-array',
  'not-a-number',
  'non-finite',
  'value-too-large',
  'empty',
  'length-mismatch',
  'not-an-integer',
  'out-of-range',
  'bad-option',
  'zero-variance',
  'too-few-points',
  'bad-source',
]);

/** Path of the first non-finite number inside a result (null when every number is finite). */
export function findNonFinite(value: unknown, path = 'result', seen = new Set<unknown>()): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} = ${value}`;
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number>;
    for (let i = 0; i < arr.length; i++) if (typeof arr[i] === 'number' && !Number.isFinite(arr[i])) return `${path}[${i}] = ${arr[i]}`;
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    const found = findNonFinite(v, `${path}.${key}`, seen);
    if (found) return found;
  }
  return null;
}

/**
 * The fuzz contract for one call: a finite result, or an AnalysisError with a known code and a message.
 * Throws an Error that describes the violation otherwise.
 */
export function checkOutcome(call: () => unknown): void {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    if (!(error instanceof AnalysisError)) {
      throw new Error(`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of an AnalysisError`, { cause: error });
    }
    if (!KNOWN_CODES.has(error.code as AnalysisErrorCode)) throw new Error(`AnalysisError with unknown code '${error.code}': ${error.message}`);
    if (error.message.length < 15) throw new Error(`AnalysisError '${error.code}' with a message too short to say what is wrong: '${error.message}'`);
    return;
  }
  const bad = findNonFinite(result);
  if (bad) throw new Error(`returned a non-finite number: ${bad}`);
}

/** The fast-check property of a target. */
export function fuzzProperty<T>(target: FuzzTarget<T>): fc.IPropertyWithHooks<[T]> {
  return fc.property(target.input, (input) => checkOutcome(() => target.call(input)));
}

// ---- Shared input generators ---------------------------------------------------------------------------

const smallLength = fc.integer({ min: 0, max: 24 });
const signal: fc.Arbitrary<unknown> = smallLength.chain((n) =>
  fc.oneof(fuzzArray(n, 100), fc.record({ re: fuzzArray(n, 100), im: fc.oneof(fuzzArray(n, 100), fuzzArray(n + 1, 100)) }), fc.constantFrom(...BAD_SCALARS)),
);
const engine: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant('engine-factory').map(() => api.createDftEngine()) },
  { weight: 1, arbitrary: fc.constantFrom(null, {}, 'engine', 3) },
);
const smallDim = fuzzInteger(fc.integer({ min: 1, max: 6 }));
const grid = fc.tuple(smallDim, fc.oneof(fc.constant(undefined), smallDim)).chain(([rows, cols]) => {
  const r = isSmallCount(rows) ? rows : 3;
  const c = cols === undefined ? r : isSmallCount(cols) ? cols : 3;
  return fc.record({
    rows: fc.constant(rows),
    cols: fc.constant(cols),
    grid: fc.oneof(fuzzArray(r * c, 100), fc.record({ re: fuzzArray(r * c), im: fuzzArray(r * c) })),
  });
});
const modulusAndArray = (rowsOf: (P: number) => number) =>
  fuzzModulus.chain((P) => fuzzArray(isSmallCount(P) ? rowsOf(P) : 5).map((values) => ({ P, values })));
const frequency = fuzzInteger(fc.integer({ min: 0, max: 6 }));
const shares: fc.Arbitrary<unknown> = fc.oneof(
  arbFrequencyShares(1, 12).map((s) => {
    const total = s.reduce((a, v) => a + v, 0);
    return s.map((v) => v / total);
  }),
  arbFrequencyShares(1, 12),
  smallLength.chain((n) => fuzzArray(n, 1)),
);
const sequence = smallLength.chain((n) => fuzzArray(n, 100));
const points = fc.tuple(fuzzInteger(fc.integer({ min: 1, max: 12 })), fuzzInteger(fc.integer({ min: 1, max: 4 }))).chain(([n, d]) => {
  const nn = isSmallCount(n) ? n : 4;
  const dd = isSmallCount(d) ? d : 2;
  return fc.record({
    n: fc.constant(n),
    d: fc.constant(d),
    values: fuzzArray(nn * dd),
    labels: fc.oneof(
      { weight: 3, arbitrary: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: nn, maxLength: nn }) },
      { weight: 1, arbitrary: fuzzArray(nn) },
    ),
  });
});
/** A deterministic uniform source (an LCG), or misbehaving ones. */
const uniformSource: fc.Arbitrary<unknown> = fc.oneof(
  fc.nat().map((seed) => {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
  }),
  fc.constantFrom(
    () => 1,
    () => NaN,
    () => -0.25,
    () => '0.5',
    () => Infinity,
    'not-a-function',
  ),
);

// ---- The targets ----------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: a list of targets of different input types (each built by target<T>, which checks it)
type Any = FuzzTarget<any>;

function target<T>(t: FuzzTarget<T>): Any {
  return t as Any;
}

const fn = api as unknown as Record<string, (...args: unknown[]) => unknown>;

export const FUZZ_TARGETS: readonly Any[] = [
  target({ name: 'dft', covers: ['dft'], input: fc.tuple(signal, engine), call: ([s, e]) => fn.dft(s, e) }),
  target({ name: 'idft', covers: ['idft'], input: fc.tuple(signal, engine), call: ([s, e]) => fn.idft(s, e) }),
  target({
    name: 'directDft',
    covers: ['directDft'],
    input: fc.tuple(signal, fc.constantFrom(undefined, 'forward', 'inverse', 'sideways', 3)),
    call: ([s, d]) => fn.directDft(s, d),
  }),
  target({ name: 'dft2d', covers: ['dft2d'], input: fc.tuple(grid, engine), call: ([g, e]) => fn.dft2d(g.grid, g.rows, g.cols, e) }),
  target({ name: 'idft2d', covers: ['idft2d'], input: fc.tuple(grid, engine), call: ([g, e]) => fn.idft2d(g.grid, g.rows, g.cols, e) }),
  target({ name: 'directDft2d', covers: ['directDft2d'], input: grid, call: (g) => fn.directDft2d(g.grid, g.rows, g.cols) }),
  target({
    name: 'dftBlock',
    covers: ['dftBlock'],
    input: fc.tuple(
      fuzzBlock((P) => P),
      engine,
    ),
    call: ([b, e]) => fn.dftBlock(b.values, b.P, b.units, e),
  }),
  target({
    name: 'dft2dBlock',
    covers: ['dft2dBlock'],
    input: fc.tuple(
      fuzzBlock((P) => P * P),
      engine,
    ),
    call: ([b, e]) => fn.dft2dBlock(b.values, b.P, b.units, e),
  }),
  target({ name: 'directDft2dBlock', covers: ['directDft2dBlock'], input: fuzzBlock((P) => P * P), call: (b) => fn.directDft2dBlock(b.values, b.P, b.units) }),
  target({
    name: 'createDftEngine.planKind',
    covers: ['createDftEngine'],
    input: fuzzInteger(fc.integer({ min: 1, max: 300 })),
    call: (n) => api.createDftEngine().planKind(n as number),
  }),
  target({
    name: 'basis of Z_P',
    covers: ['maxFrequency', 'basisLabels', 'basisPairLabels', 'fourierBasis'],
    input: fc.tuple(fuzzModulus, fc.constantFrom('maxFrequency', 'basisLabels', 'basisPairLabels', 'fourierBasis')),
    call: ([P, name]) => fn[name](P),
  }),
  target({ name: 'angularFrequency', covers: ['angularFrequency'], input: fc.tuple(frequency, fuzzModulus), call: ([k, P]) => fn.angularFrequency(k, P) }),
  target({
    name: 'fourierBasis2dVector',
    covers: ['fourierBasis2dVector'],
    input: fc.tuple(fuzzModulus, frequency, frequency),
    call: ([P, i, j]) => fn.fourierBasis2dVector(P, i, j),
  }),
  target({
    name: 'realFourierCoefficients',
    covers: ['realFourierCoefficients'],
    input: modulusAndArray((P) => P),
    call: (x) => fn.realFourierCoefficients(x.values, x.P),
  }),
  target({
    name: 'realFourierCoefficientsBlock',
    covers: ['realFourierCoefficientsBlock'],
    input: fuzzBlock((P) => P),
    call: (b) => fn.realFourierCoefficientsBlock(b.values, b.P, b.units),
  }),
  target({
    name: 'realFourierCoefficients2dBlock',
    covers: ['realFourierCoefficients2dBlock'],
    input: fuzzBlock((P) => P * P),
    call: (b) => fn.realFourierCoefficients2dBlock(b.values, b.P, b.units),
  }),
  target({ name: 'fveOfActivations', covers: ['fveOfActivations'], input: fuzzBlock((P) => P * P), call: (b) => fn.fveOfActivations(b.values, b.P, b.units) }),
  target({ name: 'fveOfGrid', covers: ['fveOfGrid'], input: modulusAndArray((P) => P * P), call: (x) => fn.fveOfGrid(x.values, x.P) }),
  target({ name: 'fveByOperand', covers: ['fveByOperand'], input: fuzzBlock((P) => P), call: (b) => fn.fveByOperand(b.values, b.P, b.units) }),
  target({
    name: 'selectKeyFrequencies',
    covers: ['selectKeyFrequencies'],
    input: fc.tuple(
      shares,
      fuzzOptions(
        fc.record(
          {
            rule: fc.constantFrom('cumulative', 'uniform-multiple'),
            level: fc.double({ min: 0, max: 1, noNaN: true }),
            multiple: fc.double({ min: 0, max: 10, noNaN: true }),
            maxCount: fc.integer({ min: 1, max: 8 }),
            relativeTo: fc.constantFrom('total', 'attributed'),
          },
          { requiredKeys: [] },
        ),
        { rule: ['bogus', 3], level: [NaN, -0.1, 2], multiple: [Infinity, -1], maxCount: [0, 1.5, NaN], relativeTo: ['cross', 1] },
      ),
    ),
    call: ([s, o]) => fn.selectKeyFrequencies(s, o),
  }),
  target({
    name: 'frequencySetCoverage',
    covers: ['frequencySetCoverage'],
    input: shares.chain((s) => {
      const K = Array.isArray(s) || s instanceof Float64Array ? Math.max(0, (s as ArrayLike<number>).length - 1) : 3;
      const n = (K + 1) * (K + 1);
      // Halved shares leave room for the cross products, so valid input reaches the computation too.
      const halved = s instanceof Float64Array ? s.map((v) => v / 2) : s;
      return fc.tuple(
        fc.constantFrom(s, halved),
        fc.oneof(
          fc.float64Array({ min: 0, max: 1 / Math.max(1, n), noNaN: true, minLength: n, maxLength: n }).map((c) => c.map((v) => v * 0.1)),
          fuzzArray(n, 1),
        ),
        fc.oneof(fc.array(fc.integer({ min: 1, max: Math.max(1, K) }), { maxLength: 4 }), fc.constantFrom(null, 'all', [0], [1.5], [NaN], [K + 1])),
      );
    }),
    call: ([s, c, set]) => fn.frequencySetCoverage(s, c, set),
  }),
  target({ name: 'fveEntropy', covers: ['fveEntropy'], input: shares, call: (s) => fn.fveEntropy(s) }),
  target({
    name: 'change points',
    covers: ['largestJump', 'twoSegmentChangePoint'],
    input: fc.tuple(sequence, fc.constantFrom('largestJump', 'twoSegmentChangePoint')),
    call: ([s, name]) => fn[name](s),
  }),
  target({
    name: 'criticalTimestep',
    covers: ['criticalTimestep'],
    input: fc.tuple(
      fc.oneof(
        smallLength.chain((n) => fuzzArray(n, 1)),
        fc.float64Array({ min: 0, max: 1, noNaN: true, minLength: 0, maxLength: 60 }),
      ),
      fc.oneof(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
    ),
    call: ([acc, level]) => fn.criticalTimestep(acc, level),
  }),
  target({
    name: 'entropyTransition',
    covers: ['entropyTransition'],
    input: smallLength.chain((n) =>
      fc.tuple(
        fc.oneof(fc.constant(Float64Array.from({ length: n }, (_, j) => (j + 1) / Math.max(n, 1))), fuzzArray(n, 1)),
        fuzzArray(n, 1),
        fc.constantFrom(undefined, 'two-segment-least-squares', 'largest-jump', 'biggest', 3),
      ),
    ),
    call: ([t, e, rule]) => fn.entropyTransition(t, e, rule),
  }),
  target({
    name: 'timestepAgreement',
    covers: ['timestepAgreement'],
    input: fc.tuple(
      fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
      fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
      fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
    ),
    call: ([a, b, tol]) => fn.timestepAgreement(a, b, tol),
  }),
  target({
    name: 'fitTrigProducts',
    covers: ['fitTrigProducts'],
    input: fc.tuple(
      modulusAndArray((P) => P * P),
      frequency,
    ),
    call: ([x, k]) => fn.fitTrigProducts(x.values, x.P, k),
  }),
  target({
    name: 'trigIdentityFit',
    covers: ['trigIdentityFit'],
    input: fc.tuple(
      fuzzBlock((P) => P * P),
      frequency,
      fuzzOptions(
        fc.record(
          {
            direction: fc.constantFrom('covariance', 'regression'),
            directionNorm: fc.constantFrom('unit', 'raw'),
            heldOut: fc.record({ seed: fc.nat(), fraction: fc.double({ min: 0.1, max: 0.9, noNaN: true }) }, { requiredKeys: ['seed'] }),
          },
          { requiredKeys: [] },
        ),
        { direction: ['sideways'], directionNorm: [1], heldOut: [null, 3, { seed: -1 }, { seed: 1, fraction: 2 }] },
      ),
    ),
    call: ([b, k, o]) => fn.trigIdentityFit(b.values, b.P, b.units, k, o),
  }),
  target({
    name: 'classReadoutMap',
    covers: ['classReadoutMap'],
    input: fc.tuple(fuzzUnits, fuzzModulus, smallDim).chain(([units, P, dims]) => {
      const u = isSmallCount(units) ? units : 2;
      const p = isSmallCount(P) ? P : 3;
      const d = isSmallCount(dims) ? dims : 3;
      return fc.tuple(fc.constant(units), fc.constant(P), fc.constant(dims), fuzzArray(u * d), fuzzArray(p * d));
    }),
    call: ([units, P, dims, M, T]) => fn.classReadoutMap(M, units, T, P, dims),
  }),
  target({
    name: 'readoutFourierDirections',
    covers: ['readoutFourierDirections'],
    input: fc.tuple(
      fuzzBlock((P) => P),
      frequency,
    ),
    call: ([b, k]) => fn.readoutFourierDirections(b.values, b.P, b.units, k),
  }),
  target({
    name: 'trigReadoutFit / trigReadoutTable',
    covers: ['trigReadoutFit', 'trigReadoutTable'],
    input: fc
      .tuple(
        fuzzBlock((P) => P * P),
        frequency,
        fc.boolean(),
      )
      .chain(([b, k, table]) => {
        const length = isSmallCount(b.P) && isSmallCount(b.units) ? b.P * b.units : 5;
        return fc.tuple(fc.constant(b), fc.constant(k), fc.constant(table), fuzzArray(length));
      }),
    call: ([b, k, table, W]) => (table ? fn.trigReadoutTable(b.values, b.P, b.units, W) : fn.trigReadoutFit(b.values, b.P, b.units, W, k)),
  }),
  target({
    name: 'phaseFixedFit',
    covers: ['phaseFixedFit'],
    input: fc.tuple(
      modulusAndArray((P) => P * P),
      frequency,
      fc.oneof(fc.constantFrom('cos', 'sin'), fc.constantFrom('tan', null, 1)),
      fuzzOptions(
        fc.record(
          { seed: fc.nat(), resamples: fc.integer({ min: 0, max: 20 }), level: fc.double({ min: 0.5, max: 0.99, noNaN: true }) },
          { requiredKeys: ['seed'] },
        ),
        { seed: [-1, 1.5], resamples: [-1, 1e9], level: [0, 1, 2] },
      ),
    ),
    call: ([x, k, t, o]) => fn.phaseFixedFit(x.values, x.P, k, t, o),
  }),
  target({
    name: 'pairAsymmetry',
    covers: ['pairAsymmetry'],
    input: fc.tuple(
      fuzzBlock((P) => P * P),
      frequency,
    ),
    call: ([b, k]) => fn.pairAsymmetry(b.values, b.P, b.units, k),
  }),
  target({
    name: 'phaseShiftedActivations',
    covers: ['phaseShiftedActivations'],
    input: fc.tuple(
      fuzzBlock((P) => P),
      frequency,
      fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
    ),
    call: ([b, k, phase]) => fn.phaseShiftedActivations(b.values, b.P, b.units, k, phase),
  }),
  target({
    name: 'directWriteDecoding',
    covers: ['directWriteDecoding'],
    input: fuzzBlock((P) => P * P).chain((b) => {
      const length = isSmallCount(b.P) && isSmallCount(b.units) ? b.P * b.units : 5;
      return fc.tuple(fc.constant(b), fuzzArray(length), fuzzOptions(fc.record({ centre: fc.boolean() }, { requiredKeys: [] }), { centre: [1, 'yes'] }));
    }),
    call: ([b, W, o]) => fn.directWriteDecoding(b.values, b.P, b.units, W, o),
  }),
  target({
    name: 'trigFitNoiseBaseline',
    covers: ['trigFitNoiseBaseline'],
    input: fc.tuple(
      fuzzInteger(fc.integer({ min: 5, max: 9 })),
      fuzzInteger(fc.integer({ min: 1, max: 3 })),
      frequency,
      fuzzOptions(fc.record({ seed: fc.nat(), draws: fc.integer({ min: 1, max: 2 }) }), { seed: [-1, 1.5], draws: [0, 1e9] }),
    ),
    call: ([P, u, k, o]) => fn.trigFitNoiseBaseline(P, u, k, o),
  }),
  target({
    name: 'pca',
    covers: ['pca'],
    input: fc.tuple(points, fuzzOptions(fc.record({ components: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: [] }), { components: [0, 99, 1.5] })),
    call: ([p, o]) => fn.pca(p.values, p.n, p.d, o),
  }),
  target({
    name: 'nearestCentroidHoldout',
    covers: ['nearestCentroidHoldout'],
    input: fc.tuple(
      points,
      fuzzOptions(fc.record({ seed: fc.nat(), testFraction: fc.double({ min: 0.01, max: 0.99, noNaN: true }) }, { requiredKeys: ['seed'] }), {
        seed: [-1, 2 ** 33],
        testFraction: [0, 1, NaN],
      }),
    ),
    call: ([p, o]) => fn.nearestCentroidHoldout(p.values, p.n, p.d, p.labels, o),
  }),
  target({
    name: 'nearestCentroidLeaveOneOut',
    covers: ['nearestCentroidLeaveOneOut'],
    input: points,
    call: (p) => fn.nearestCentroidLeaveOneOut(p.values, p.n, p.d, p.labels),
  }),
  target({
    name: 'affineDenoisingError',
    covers: ['affineDenoisingError', 'affineDenoisingLossOfVariance'],
    input: fc.tuple(
      fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_SCALARS, 1e100, 1e300) }),
      fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_SCALARS) }),
    ),
    call: ([lambda, t]) => [fn.affineDenoisingError(lambda, t), fn.affineDenoisingLossOfVariance(lambda)],
  }),
  target({
    name: 'affineDenoisingLoss',
    covers: ['affineDenoisingLoss'],
    input: fc.tuple(fuzzArray(3, 100), fuzzInteger(fc.integer({ min: 1, max: 6 }))),
    call: ([eigenvalues, dims]) => fn.affineDenoisingLoss(eigenvalues, dims),
  }),
  target({
    name: 'covarianceEigenvalues',
    covers: ['covarianceEigenvalues'],
    input: fc.tuple(points, fc.oneof(fc.constant(undefined), fuzzArray(4))),
    call: ([p, w]) => fn.covarianceEigenvalues(p.values, p.n, p.d, w),
  }),
  target({
    name: 'denoisingLossReferences',
    covers: ['denoisingLossReferences'],
    input: fc.tuple(points, fuzzArray(4)),
    call: ([p, w]) => fn.denoisingLossReferences(p.values, p.n, p.d, p.labels, w),
  }),
  target({
    name: 'wilsonInterval',
    covers: ['wilsonInterval'],
    input: fc.tuple(
      fuzzInteger(fc.integer({ min: 0, max: 60 })),
      fuzzInteger(fc.integer({ min: 0, max: 60 })),
      fc.oneof(fc.constant(undefined), fuzzInteger(fc.constant(1.96))),
    ),
    call: ([s, n, z]) => fn.wilsonInterval(s, n, z),
  }),
  target({
    name: 'bootstrapMeanInterval',
    covers: ['bootstrapMeanInterval'],
    input: fc.tuple(
      sequence,
      fuzzOptions(
        fc.oneof(
          fc.record({ seed: fc.nat(), resamples: fc.integer({ min: 1, max: 200 }) }),
          fc.record({ uniform: uniformSource, resamples: fc.integer({ min: 1, max: 200 }), level: fc.double({ min: 0.5, max: 0.99, noNaN: true }) }),
        ),
        { seed: [1.5, -3], resamples: [0, 1e9], level: [0, 1, NaN] },
      ),
    ),
    call: ([s, o]) => fn.bootstrapMeanInterval(s, o),
  }),
  target({
    name: 'binomialTest',
    covers: ['binomialTest'],
    input: fc.tuple(
      fuzzInteger(fc.integer({ min: 0, max: 80 })),
      fuzzInteger(fc.integer({ min: 0, max: 80 })),
      fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
      fc.constantFrom(undefined, 'greater', 'less', 'two-sided'),
    ),
    call: ([s, n, p, alt]) => fn.binomialTest(s, n, p, alt),
  }),
  target({
    name: 'oneSampleTTest',
    covers: ['oneSampleTTest'],
    input: fc.tuple(
      sequence,
      fc.oneof(fc.double({ min: -100, max: 100, noNaN: true }), fc.constantFrom(...BAD_SCALARS)),
      fc.constantFrom(undefined, 'greater', 'less', 'both'),
    ),
    call: ([s, mu, alt]) => fn.oneSampleTTest(s, mu, alt),
  }),
  target({ name: 'summarise', covers: ['summarise'], input: sequence, call: (s) => fn.summarise(s) }),
];

/** Names of the functions exported by src/analysis/index.ts that no target covers (should be empty). */
export function uncoveredExports(): string[] {
  const covered = new Set(FUZZ_TARGETS.flatMap((t) => t.covers));
  return Object.entries(api)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .filter((name) => !covered.has(name));
}
