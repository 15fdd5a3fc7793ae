// One sampling pass for several groups of pairs (issue 28: the trainer's evaluations sample the training and the
// held-out pairs together): each group gets the images it gets when sampled alone (same operand images, same
// noise from its own stream), its own targets and count.
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { initBackend } from '../engine/backend.ts';
import { rootRng } from '../engine/random.ts';
import { createParams, disposeParams, initialValues } from '../model/params.ts';
import { runModelConfig } from '../train/config.ts';
import { runDataFromSeed } from '../train/run-data.ts';
import { generateForGroups, generateForPairs } from './generation.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('generateForGroups', () => {
  it('gives each group what generateForPairs gives it alone, in one pass', () => {
    const config = tinyConfig();
    const model = runModelConfig(config);
    const data = runDataFromSeed(config, loadEmnistPool());
    const params = createParams(model, initialValues(model, rootRng(3).fork('init'), data.symbols.images));
    const rng = rootRng(7).fork('eval');
    const options = { draws: 2, steps: 3 };
    const groups = [
      { symbols: data.symbols, pairs: data.train, rng: rng.fork('eval-train') },
      { symbols: data.heldoutSymbols, pairs: data.heldout, rng: rng.fork('eval-heldout') },
    ];
    const together = generateForGroups(model, params, groups, options);
    const alone = groups.map((g) => generateForPairs(model, params, g.symbols, g.pairs, { ...options, rng: g.rng }));
    expect(together).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      expect(together[i].count).toBe(groups[i].pairs.length * 2);
      expect(Array.from(together[i].targets)).toEqual(Array.from(alone[i].targets));
      expect(together[i].images.length).toBe(alone[i].images.length);
      let worst = 0;
      for (let j = 0; j < alone[i].images.length; j++) worst = Math.max(worst, Math.abs(together[i].images[j] - alone[i].images[j]));
      expect(worst, `group ${i}: largest difference`).toBeLessThan(1e-5);
    }
    disposeParams(params);
  });
});
