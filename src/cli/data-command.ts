// `grokdiff data`: shows the symbol set of a (P, N) choice (paper Sec. 3), the pair split sizes for R, and
// writes a PNG contact sheet of the chosen symbol images (upright) so a person can check them.

import { Command } from 'commander';
import { join } from 'node:path';
import { rootRng } from '../engine/random.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { loadK49Pool } from '../data/k49-pool.ts';
import { buildSymbolSet } from '../data/symbols.ts';
import { contactSheetPng } from '../data/contact-sheet.ts';
import { splitPairs } from '../data/pairs.ts';
import { PAPER } from '../paper/registry.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { existingFolder, intOption, numberOption, seedOption } from './common.ts';
import { checkOutputFolder, makeOutputFolder } from '../train/run-folder.ts';

export function dataCommand(): Command {
  return new Command('data')
    .description('show the symbol set and pair split for P, N, R and write a contact sheet PNG of the symbols')
    .option('--P <int>', 'modulus: number of symbols', intOption('--P'), PAPER.modulus.value)
    .option('--N <int>', 'images per symbol', intOption('--N'), PAPER.imagesPerSymbol.value.single)
    .option('--R <ratio>', 'training ratio in (0, 1)', numberOption('--R'), PAPER.trainingRatio.value)
    .option('--side <px>', 'image side in pixels', intOption('--side'), PAPER.imageSide.value)
    .option('--seed <int>', 'seed for the image choice and the split', seedOption('--seed'), 0)
    .option('--fixtures <dir>', 'directory of the EMNIST fixture files', undefined)
    .option('--k49 <dir>', 'use the official Kuzushiji-49 npz files in DIR instead of EMNIST (k49-{train,test}-{imgs,labels}.npz)')
    .option('--out <dir>', 'where to write the contact sheet', 'runs/data')
    .action((opts: { P: number; N: number; R: number; side: number; seed: number; fixtures?: string; k49?: string; out: string }) => {
      checkOutputFolder(opts.out);
      const pool = opts.k49
        ? loadK49Pool(existingFolder('--k49', opts.k49))
        : opts.fixtures
          ? loadEmnistPool(existingFolder('--fixtures', opts.fixtures))
          : loadEmnistPool();
      const rng = rootRng(opts.seed).fork('data');
      const symbols = buildSymbolSet({ pool, P: opts.P, N: opts.N, side: opts.side, rng: rng.fork('symbols') });
      const split = splitPairs(opts.P, opts.R, rng.fork('split'));
      console.log(`symbols (P = ${opts.P}, N = ${opts.N}, side ${opts.side}px, seed ${opts.seed}):`);
      console.log(symbols.chars.map((c, k) => `${k}=${c}`).join(' '));
      console.log(`pairs: ${opts.P * opts.P} in all, ${split.train.length} train, ${split.heldout.length} held out (R = ${opts.R})`);
      makeOutputFolder(opts.out);
      const path = join(opts.out, `symbols-${opts.k49 ? 'k49-' : ''}P${opts.P}-N${opts.N}-s${opts.seed}.png`);
      writeFileAtomic(path, contactSheetPng(symbols, { scale: 3 }));
      console.log(`contact sheet: ${path}`);
    });
}
