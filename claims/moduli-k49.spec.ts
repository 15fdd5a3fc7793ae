// Paper claim "moduli-k49": see src/claims/defs/moduli-k49.ts and src/claims/moduli.ts for the statement, measurement, thresholds (from the
// paper-parameter registry) and negative control. Runs only with the official Kuzushiji-49 files (grokdiff replicate --k49 DIR, or GROKDIFF_K49_DIR); "not evaluated" (skipped) otherwise.
import { claimSpec } from './claim-spec.ts';

claimSpec('moduli-k49');
