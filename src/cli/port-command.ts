// `grokdiff import FILE --config CONFIG --out DIR` and `grokdiff export --run DIR --layout pytorch --out FILE`
// (issue 30, "bring your own model"): a model of the paper's architecture trained in PyTorch becomes a run folder
// that eval, sample and replicate judge like any other, and any run becomes a PyTorch-layout safetensors file
// with its config beside it; `grokdiff export-data --config C --out F` writes the images and pairs to train on. The architecture, layout and config are specified in docs/BRING-YOUR-OWN.md.

import { Command, Option } from 'commander';
import { exportData, exportPytorch, importPytorch } from '../eval/pytorch-port.ts';
import { intRangeOption } from './common.ts';
import { setupBackend } from './backend-option.ts';

export function importCommand(): Command {
  return new Command('import')
    .description('import a model in the PyTorch layout of docs/BRING-YOUR-OWN.md (safetensors + JSON config) into a new run folder')
    .argument('<file>', 'the weights: a .safetensors file of the state_dict (pickled .pt/.bin files are refused: nothing is unpickled)')
    .requiredOption('--config <file>', 'the JSON config: format, seed, data (P, N, dataset, trainingRatio or trainPairs), model, train.steps')
    .requiredOption('--out <dir>', 'the run folder to write (must not exist, or be empty)')
    .action(async (file: string, opts: { config: string; out: string }, command: Command) => {
      await setupBackend(command);
      const r = importPytorch({ file, configFile: opts.config, outDir: opts.out });
      console.log(`imported ${file} (sha256 ${r.sha256}) as a run of step ${r.step}: ${r.runDir}`);
      console.log(`function check (${r.check.kind}): ${r.check.summary}`);
      console.log(`next: npx grokdiff eval --run ${opts.out}   |   npx grokdiff replicate --run ${opts.out} [--run DIR ...]`);
    });
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a run checkpoint in the PyTorch layout of docs/BRING-YOUR-OWN.md: FILE (safetensors) and FILE-stem.config.json')
    .requiredOption('--run <dir>', 'run directory or checkpoint directory')
    .addOption(new Option('--layout <layout>', 'tensor layout of the file').choices(['pytorch']).makeOptionMandatory())
    .requiredOption('--out <file>', 'the safetensors file to write (its config is written beside it as <stem>.config.json)')
    .option('--step <int>', 'checkpoint step (default: latest)', intRangeOption('--step', 0, Number.MAX_SAFE_INTEGER))
    .action(async (opts: { run: string; layout: 'pytorch'; out: string; step?: number }, command: Command) => {
      await setupBackend(command);
      const r = exportPytorch({ runDir: opts.run, outFile: opts.out, ...(opts.step !== undefined ? { step: opts.step } : {}) });
      console.log(`wrote ${r.file} (${r.tensors} tensors, PyTorch layout, step ${r.step}, with reference.x0hat) and ${r.configFile}`);
    });
}

export function exportDataCommand(): Command {
  return new Command('export-data')
    .description('write the symbol images and pair split of a config (the JSON config of grokdiff import) as safetensors, to train a model on in PyTorch')
    .requiredOption(
      '--config <file>',
      'the JSON config (format, seed, data, model, train.steps): its seed chooses the images and, without trainPairs, the split',
    )
    .requiredOption('--out <file>', 'the safetensors file to write (symbols.images, pairs.train, pairs.heldout, pairs.heldout_novel)')
    .action((opts: { config: string; out: string }) => {
      const r = exportData({ configFile: opts.config, outFile: opts.out });
      console.log(`wrote ${r.file}: the symbol images, ${r.train} training pairs and ${r.heldout} held-out pairs`);
    });
}
