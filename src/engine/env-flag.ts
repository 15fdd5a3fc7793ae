// Reading an on/off switch from the environment (GROKDIFF_WASM_FASTPATH, GROKDIFF_NATIVE): on unless set to
// 0 / false / off; anything it does not understand is a ConfigError naming the variable and what to write.

import { ConfigError } from '../errors.ts';

/** unset, empty, 1, true, on → true; 0, false, off → false (any case, surrounding spaces ignored). */
export function onUnlessOff(env: NodeJS.ProcessEnv, name: string, errorCode: string): boolean {
  const raw = env[name];
  if (raw === undefined) return true;
  const v = raw.trim().toLowerCase();
  if (v === '' || v === '1' || v === 'true' || v === 'on') return true;
  if (v === '0' || v === 'false' || v === 'off') return false;
  throw new ConfigError(errorCode, `${name}=${JSON.stringify(raw)} is not understood; use 1 (on, the default) or 0 (off).`);
}
