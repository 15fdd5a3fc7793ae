// Where the data layer's committed files live: the repository's fixtures/ folder and its EMNIST subsets.
// Reading them (whole files, gzip by content) is generic and lives in io/file-bytes.ts.

import { fileURLToPath } from 'node:url';

/** The repository's `fixtures/` folder (absolute path, with a trailing separator). */
export const FIXTURES_DIR: string = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** The committed EMNIST subsets (see fixtures/emnist/PROVENANCE.md). */
export const EMNIST_FIXTURES_DIR: string = fileURLToPath(new URL('../../fixtures/emnist/', import.meta.url));
