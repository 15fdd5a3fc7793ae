// Paper claim "single-step": see src/claims/defs/single-step.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n1 fixtures (seeds 1, 2, 3).
import { claimSpec } from './claim-spec.ts';

claimSpec('single-step');
