// The CPU an addon compiled with -march=native may run on: its model name and, on Linux, its feature flags.
// native/build.mjs records it beside the addon; src/engine/wasm-native.ts compares it before loading, so a copy
// moved to another CPU is refused instead of dying of an illegal instruction. One function for both, so the
// two can never disagree.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** @returns {{ model: string, flags: string }} */
export function cpuSignature() {
  let flags = '';
  try {
    flags = (readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:\s*(.*)$/m)?.[1] ?? '').trim().split(/\s+/).sort().join(' ');
  } catch {
    // not Linux: the model name alone
  }
  return { model: cpus()[0]?.model ?? 'unknown', flags };
}
