// The public API of the pure Fourier-analysis library (float64, no tfjs): DFT over Z_P (dft.ts), the real
// Fourier basis (basis.ts), FVE per frequency and component (fve.ts, paper Sec. 4.1 / Figure 3), key
// frequencies (key-frequencies.ts), FVE entropy and change points (entropy.ts, Sec. 4.2), the critical timestep
// and the entropy transition (critical-timestep.ts, Sec. 4.2 / Figure 6), the trig-identity
// fit (trig-fit.ts, Table 3), PCA and separability (pca.ts, separability.ts, Figure 5) and statistics helpers
// (stats.ts). Input validation and error codes: validate.ts. Definitions: README.md in this folder.

export {
  createDftEngine,
  dft,
  idft,
  dft2d,
  idft2d,
  dftBlock,
  dft2dBlock,
  directDft,
  directDft2d,
  directDft2dBlock,
  type ComplexArray,
  type ComplexInput,
  type SignalInput,
  type DftEngine,
  type PlanKind,
} from './dft.ts';
export {
  angularFrequency,
  maxFrequency,
  basisLabels,
  basisPairLabels,
  fourierBasis,
  fourierBasis2dVector,
  realFourierCoefficients,
  realFourierCoefficientsBlock,
  realFourierCoefficients2dBlock,
  type BasisKind,
  type BasisLabel,
  type BasisPairLabel,
  type ComponentGroup,
  type ComponentType,
  type FourierBasis,
} from './basis.ts';
export {
  FVE_DEFINITION,
  CONSTANT_UNIT_TOLERANCE,
  fveOfActivations,
  fveOfGrid,
  fveByOperand,
  type FveResult,
  type OperandFveResult,
  type PerUnitFve,
  type FrequencyComponents,
} from './fve.ts';
export {
  DEFAULT_UNIFORM_MULTIPLE,
  selectKeyFrequencies,
  frequencySetCoverage,
  type FrequencySetCoverage,
  type KeyFrequencyOptions,
  type KeyFrequencyRule,
  type KeyFrequencySelection,
} from './key-frequencies.ts';
export {
  fveEntropy,
  largestJump,
  twoSegmentChangePoint,
  type FveEntropy,
  type JumpChangePoint,
  type TwoSegmentChangePoint,
} from './entropy.ts';
export {
  CRITICAL_TIMESTEP_DEFINITION,
  CHANGE_POINT_RULES,
  criticalTimestep,
  entropyTransition,
  timestepAgreement,
  type ChangePointRule,
  type CriticalTimestep,
  type EntropyTransition,
  type TimestepAgreement,
} from './critical-timestep.ts';
export {
  classReadoutMap,
  readoutFourierDirections,
  trigReadoutFit,
  trigReadoutTable,
  fitTrigProducts,
  trigIdentityFit,
  trigFitNoiseBaseline,
  phaseFixedFit,
  pairAsymmetry,
  phaseShiftedActivations,
  directWriteDecoding,
  IDENTITY_PRODUCTS,
  type DirectWriteDecoding,
  type PairAsymmetry,
  type PhaseFixedFit,
  type PhaseFixedOptions,
  type ProductName,
  type RatioInterval,
  type ReadoutTargetFit,
  type ReadoutTrigFit,
  type NoiseBaseline,
  type ProductCoefficients,
  type ProductFit,
  type TrigFitOptions,
  type TrigFitResult,
  type TrigTarget,
  type TrigTargetFit,
} from './trig-fit.ts';
export { pca, type PcaResult } from './pca.ts';
export {
  affineDenoisingError,
  affineDenoisingLoss,
  affineDenoisingLossOfVariance,
  covarianceEigenvalues,
  denoisingLossReferences,
  type DenoisingLossReferences,
} from './denoising-floor.ts';
export { nearestCentroidHoldout, nearestCentroidLeaveOneOut, type SeparabilityResult } from './separability.ts';
export {
  wilsonInterval,
  bootstrapMeanInterval,
  binomialTest,
  oneSampleTTest,
  summarise,
  type Alternative,
  type BootstrapOptions,
  type Interval,
  type Summary,
  type TTestResult,
} from './stats.ts';
export { MAX_ABS_VALUE, MAX_MODULUS, type AnalysisErrorCode } from './validate.ts';
