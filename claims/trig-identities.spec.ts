// Paper claim "trig-identities": see src/claims/defs/trig-identities.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n1 fixtures (seeds 1, 2, 3).
import { claimSpec } from './claim-spec.ts';

claimSpec('trig-identities');
