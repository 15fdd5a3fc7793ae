// The trainer's periodic evaluation (paper Sec. 3, Figure 2: generation accuracy during training): every
// `evalEvery` steps the model samples the image of c for each training pair and each held-out pair (M =
// train.evalDraws noise draws, K = train.samplingSteps Euler steps), the run's classifier
// (classifier-for-run.ts) reads the symbol, and the accuracy on the training pairs, the held-out pairs and the
// novel held-out pairs (mirror not trained) is logged with its Wilson interval. train/trainer.ts calls it
// through TrainingEvaluator, so training holds no classifier of its own.
// Every evaluation of a run draws the *same* noise (the trainer passes one `eval` stream and Rng.fork is a pure
// function of seed and name): common random numbers, so a change in the logged curve is a change in the model,
// not in the draw. The flip side: a pair whose one fixed draw happens to land on the right class counts as
// right in every evaluation until the model moves, so k logged evaluations at a level are not k independent
// draws. Whether a checkpoint has grokked is therefore decided on fresh draws (eval/grok-status.ts, ≥ 8 per
// pair), never on the log alone.

import type { EmnistPool } from '../data/pool.ts';
import type { RunConfig } from '../train/config.ts';
import type { RunData } from '../train/run-data.ts';
import type { TrainingEvaluator } from '../train/trainer.ts';
import { accuracyResult } from './accuracy.ts';
import { scoredBy } from './classifier.ts';
import { classifierForRun } from './classifier-for-run.ts';
import { generateForPairs, generationAccuracy, scoreGenerated } from './generation.ts';

/**
 * The paper's evaluation of a run being trained: generated images scored by the run's classifier (built
 * here, from the pool; a missing classifier fixture is refused before training writes anything).
 */
export function generationEvaluator(config: RunConfig, data: RunData, pool: EmnistPool): TrainingEvaluator {
  const classifier = classifierForRun(config, data.symbols, { pool });
  const draws = config.train.evalDraws;
  const opts = { draws, steps: config.train.samplingSteps };
  return {
    scoredBy: scoredBy(classifier),
    evaluate(model, params, rng) {
      const heldout = scoreGenerated(
        generateForPairs(model, params, data.heldoutSymbols, data.heldout, { ...opts, rng: rng.fork('eval-heldout') }),
        classifier,
      );
      let novelCorrect = 0;
      for (const i of data.heldoutNovel) for (let d = 0; d < draws; d++) if (heldout.predictions[i * draws + d] === data.heldout[i].c) novelCorrect++;
      const { predictions: _p, ...heldoutResult } = heldout;
      return {
        train: generationAccuracy(model, params, data.symbols, data.train, classifier, { ...opts, rng: rng.fork('eval-train') }),
        heldout: heldoutResult,
        novel: accuracyResult(novelCorrect, data.heldoutNovel.length * draws),
      };
    },
    dispose: () => classifier.dispose?.(),
  };
}
