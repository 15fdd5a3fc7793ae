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
// Issue 28: the training and held-out pairs are sampled in one pass (one batch through the model instead of two),
// each with the operand images and noise of its own stream as before; `reading` says in provenance.json and on the
// progress log which reading this is.

import type { EmnistPool } from '../data/pool.ts';
import type { RunConfig } from '../train/config.ts';
import type { RunData } from '../train/run-data.ts';
import type { TrainingEvaluator } from '../train/trainer.ts';
import { accuracyResult } from './accuracy.ts';
import { scoredBy } from './classifier.ts';
import { classifierForRun } from './classifier-for-run.ts';
import { generateForGroups, scoreGenerated } from './generation.ts';
import { PAPER } from '../paper/registry.ts';

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
    reading: `the trainer's reading: M = ${draws} draw(s) per pair with the same noise at every evaluation, K = ${config.train.samplingSteps} Euler steps, train and held-out pairs in one sampling pass; grokking is judged on fresh draws (grokdiff eval, the claims: K = ${PAPER.samplingSteps.value})`,
    evaluate(model, params, rng) {
      // One sampling pass for both sets; each keeps the stream (operand images, noise) it had when sampled alone.
      const [train, held] = generateForGroups(
        model,
        params,
        [
          { symbols: data.symbols, pairs: data.train, rng: rng.fork('eval-train') },
          { symbols: data.heldoutSymbols, pairs: data.heldout, rng: rng.fork('eval-heldout') },
        ],
        opts,
      );
      const heldout = scoreGenerated(held, classifier);
      let novelCorrect = 0;
      for (const i of data.heldoutNovel) for (let d = 0; d < draws; d++) if (heldout.predictions[i * draws + d] === data.heldout[i].c) novelCorrect++;
      const { predictions: _p, ...heldoutResult } = heldout;
      const { predictions: _q, ...trainResult } = scoreGenerated(train, classifier);
      return {
        train: { ...trainResult, scoredBy: scoredBy(classifier) },
        heldout: heldoutResult,
        novel: accuracyResult(novelCorrect, data.heldoutNovel.length * draws),
      };
    },
    dispose: () => classifier.dispose?.(),
  };
}
