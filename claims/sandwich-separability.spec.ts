// Paper claim "sandwich-separability": see src/claims/defs/sandwich-separability.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n256-sandwich fixture (seed 1).
import { claimSpec } from './claim-spec.ts';

claimSpec('sandwich-separability');
