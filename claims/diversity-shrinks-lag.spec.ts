// Paper claim "diversity-shrinks-lag": see src/claims/defs/diversity.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n1 and cpu-n4 fixtures (seeds 1, 2, 3).
import { claimSpec } from './claim-spec.ts';

claimSpec('diversity-shrinks-lag');
