// Paper claim "moduli-emnist": see src/claims/defs/moduli-emnist.ts and src/claims/moduli.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs on the committed fixtures cpu-n1-depth2 (P = 23) and
// cpu-n1-depth2-p27/p31/p35, seed 1.
import { claimSpec } from './claim-spec.ts';

claimSpec('moduli-emnist');
