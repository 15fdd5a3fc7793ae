// README.md's table of environment variables is the one generated from src/config/environment.ts: this fails
// when a variable is declared, changed or removed without regenerating it (`npm run docs:env`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { declaredVariables } from './environment.ts';
import { committedTable, environmentTable, README_PATH, readmeWithTable } from './readme-table.ts';

describe("README.md's environment table", () => {
  const readme = readFileSync(README_PATH, 'utf8');

  it('is up to date with the declarations (regenerate it with `npm run docs:env`)', () => {
    const committed = committedTable(readme);
    expect(committed, 'README.md lacks the env-table markers').not.toBeNull();
    expect(committed, "README.md's environment table is out of date: run `npm run docs:env` and commit README.md").toBe(environmentTable());
  });

  it('has one row per declared variable', () => {
    const rows = environmentTable().split('\n').slice(2);
    expect(rows.map((r) => r.split('`')[1])).toEqual(declaredVariables().map((v) => v.name));
  });

  it('regenerating is idempotent and touches only the block between the markers', () => {
    const once = readmeWithTable(readme);
    expect(readmeWithTable(once)).toBe(once);
    const outside = (text: string) => text.replace(/<!-- env-table:[\s\S]*<!-- env-table end -->/, '');
    expect(outside(once)).toBe(outside(readme));
  });
});
