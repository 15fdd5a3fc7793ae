// Paper claim "critical-timestep": see src/claims/defs/critical-timestep.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed cpu-n1 fixtures (seeds 1, 2, 3) until N = 256 fixtures exist.
import { claimSpec } from './claim-spec.ts';

claimSpec('critical-timestep');
