// `grokdiff env`: lists every environment variable grokdiff reads (src/config/environment.ts) with its current
// value, or its default when unset, what it means and who uses it. A value that is not understood is shown and
// then reported as the typed error (exit 2). `--markdown` prints README.md's table, `--json` the rows. The
// plain listing ends with the tensor backend grokdiff would use here, in full (the long line that commands
// print only with --verbose: fast path, native kernels, each backend skipped and why).

import { Command } from 'commander';
import { inspectEnvironment, type VariableState } from '../config/environment.ts';
import { initBackend } from '../engine/backend.ts';
import { environmentTable } from '../config/readme-table.ts';

/** A typed value as text: on/off, lists joined with commas. */
function shown(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** The first line of a variable: `NAME=text → value`, `NAME unset → default`, or the text that is not understood. */
export function stateLine(s: VariableState): string {
  const { name, defaultText } = s.variable;
  if (s.text === undefined || s.text.trim() === '') return `${name} ${s.text === undefined ? 'unset' : 'empty'} → ${defaultText}`;
  if (s.error !== null) return `${name}=${JSON.stringify(s.text)} NOT UNDERSTOOD`;
  const value = shown(s.value);
  return value === s.text ? `${name}=${s.text}` : `${name}=${JSON.stringify(s.text)} → ${value}`;
}

export function envCommand(): Command {
  return new Command('env')
    .description('list the environment variables grokdiff reads, with their current values, defaults and meaning')
    .option('--markdown', "print the README's table of the variables (npm run docs:env writes it)")
    .option('--json', 'print JSON')
    .action(async (opts: { markdown?: boolean; json?: boolean }) => {
      if (opts.markdown) {
        console.log(environmentTable());
        return;
      }
      const states = inspectEnvironment();
      if (opts.json) {
        const rows = states.map((s) => ({
          name: s.variable.name,
          set: s.text !== undefined && s.text.trim() !== '',
          text: s.text ?? null,
          value: s.error === null ? s.value : null,
          error: s.error?.message ?? null,
          values: s.variable.values,
          default: s.variable.defaultText,
          meaning: s.variable.meaning,
          usedBy: s.variable.usedBy,
        }));
        console.log(JSON.stringify(rows, null, 2));
      } else {
        for (const s of states) {
          console.log(stateLine(s));
          console.log(`    ${s.variable.meaning}`);
          console.log(`    values: ${s.variable.values}; default: ${s.variable.defaultText}; used by: ${s.variable.usedBy}`);
        }
      }
      const bad = states.find((s) => s.error !== null);
      if (!opts.json && !bad) {
        const lines: string[] = [];
        const picked = await initBackend(undefined, { verbose: true, log: (line) => lines.push(line.replace(/^grokdiff: /, '')) });
        console.log(`\ntensor backend: ${lines.length > 0 ? lines.join('; ') : `${picked} (GROKDIFF_BACKEND)`}`);
      }
      if (bad?.error) throw bad.error;
    });
}
