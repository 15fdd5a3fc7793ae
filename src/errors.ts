// The error classes of grokdiff: one per pipeline layer, each with a stable code and a message that says
// what was wrong, where (file, field, shape) and what was expected. The CLI prints `message` without a
// stack trace (see src/cli/main.ts); tests match on `code` and on the class.

export type ErrorLayer = 'data' | 'config' | 'checkpoint' | 'analysis' | 'engine' | 'model' | 'claim';

export class GrokdiffError extends Error {
  readonly code: string;
  readonly layer: ErrorLayer;
  constructor(layer: ErrorLayer, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.layer = layer;
  }
}

/** Malformed or inconsistent input data: IDX/npz files, symbol sets, pair splits. */
export class DataError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('data', code, message, options);
  }
}

/** A configuration value (CLI flag, preset, override, config file field) that is unknown or out of range. */
export class ConfigError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('config', code, message, options);
  }
}

/** A checkpoint that is missing, truncated, corrupt, or does not match its config. */
export class CheckpointError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('checkpoint', code, message, options);
  }
}

/** Invalid input to the pure analysis library (NaN, wrong lengths, P < 2, ...). */
export class AnalysisError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('analysis', code, message, options);
  }
}

/** A backend that cannot be loaded or a kernel that cannot run. */
export class EngineError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('engine', code, message, options);
  }
}

/** A model configuration whose shapes do not fit, or a bad tap/intervention. */
export class ModelError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('model', code, message, options);
  }
}

/** A claim that is unknown, or a claim record that does not have the shape its claim declares (names the file and field). */
export class ClaimError extends GrokdiffError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('claim', code, message, options);
  }
}
