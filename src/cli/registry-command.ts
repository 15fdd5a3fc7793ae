// `grokdiff registry` and `grokdiff presets`: print the paper-parameter registry (value, kind, verified,
// provenance, the quote a verified value rests on or why a value is unverified) and the named presets, so a user can see where every number comes from.

import { Command } from 'commander';
import { registryRows } from '../paper/registry.ts';
import { getPreset, presetDescription, presetNames } from '../train/presets.ts';

export function registryCommand(): Command {
  return new Command('registry')
    .description('list the paper-parameter registry: every paper number with its provenance, verified flag and the quote it rests on')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = registryRows();
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      for (const r of rows) {
        console.log(
          `${r.key.padEnd(30)} ${JSON.stringify(r.value).slice(0, 40).padEnd(42)} ${r.kind.padEnd(16)} ${r.verified ? 'verified  ' : 'unverified'}  ${r.provenance}`,
        );
        // The authors' words a verified value rests on; for an unverified one, why (and the nearest words, if any).
        const indent = ' '.repeat(32);
        if (r.quote) console.log(`${indent}${r.verified ? 'quote' : 'near '}: "${r.quote.text}" (${r.quote.where})`);
        if (!r.verified && r.unverifiedBecause) console.log(`${indent}why unverified: ${r.unverifiedBecause}`);
      }
    });
}

export function presetsCommand(): Command {
  return new Command('presets')
    .description('list the training presets, or print one as JSON')
    .argument('[name]', 'preset to print')
    .action((name?: string) => {
      if (name) {
        console.log(JSON.stringify(getPreset(name), null, 2));
        return;
      }
      const width = Math.max(...presetNames().map((n) => n.length)) + 2;
      for (const n of presetNames()) console.log(`${n.padEnd(width)}${presetDescription(n)}`);
    });
}
