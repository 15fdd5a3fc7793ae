// Paper claim "depth-two": see src/claims/defs/depth-two.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n1-depth2 fixture (seed 1).
import { claimSpec } from './claim-spec.ts';

claimSpec('depth-two');
