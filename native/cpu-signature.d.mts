/** This machine's CPU: model name and, on Linux, its sorted feature flags (see cpu-signature.mjs). */
export function cpuSignature(): { model: string; flags: string };
