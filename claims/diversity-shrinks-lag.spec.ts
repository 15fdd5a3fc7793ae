// Paper claim "diversity-shrinks-lag": see src/claims/defs/diversity-shrinks-lag.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n1 (seeds 1, 2, 3) and cpu-n4 (seed 1) fixtures.
import { claimSpec } from './claim-spec.ts';

claimSpec('diversity-shrinks-lag');
