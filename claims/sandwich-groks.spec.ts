// Paper claim "sandwich-groks": see src/claims/defs/sandwich-groks.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n256 and cpu-n256-sandwich fixtures (seed 1).
import { claimSpec } from './claim-spec.ts';

claimSpec('sandwich-groks');
