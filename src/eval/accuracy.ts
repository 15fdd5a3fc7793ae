// Accuracy with its uncertainty (paper Sec. 3: generation accuracy; Figures 2 and 4): correct out of total,
// with the Wilson 95 % interval (analysis/stats.ts), the form every accuracy takes in metrics, claims and the
// report, whatever scored it.

import { wilsonInterval } from '../analysis/stats.ts';

export interface AccuracyResult {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
  /** Wilson 95 % interval. */
  readonly interval: readonly [number, number];
}

export function accuracyResult(correct: number, total: number): AccuracyResult {
  if (total === 0) return { correct: 0, total: 0, accuracy: 0, interval: [0, 1] };
  const { lower, upper } = wilsonInterval(correct, total);
  return { correct, total, accuracy: correct / total, interval: [lower, upper] };
}
