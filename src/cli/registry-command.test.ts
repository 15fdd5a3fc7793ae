// `grokdiff registry` prints, under each verified value, the authors' words it rests on and, under each
// unverified one, why (issue 15); --json carries the same fields.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PAPER } from '../paper/registry.ts';
import { registryCommand } from './registry-command.ts';

async function run(...args: string[]): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await registryCommand().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

afterEach(() => vi.restoreAllMocks());

describe('grokdiff registry', () => {
  it('shows each verified value with its quote and where it stands, and why an unverified one is not verified', async () => {
    const out = await run();
    expect(out).toMatch(/^modulus\s+23\s+paper-setup\s+verified/m);
    expect(out).toContain(`quote: "${PAPER.modulus.quote!.text}" (Table 2)`);
    expect(out).toContain('quote: "Baseline (N = 1, S = 32)" (Figure 2 caption)');
    expect(out).toMatch(/^grokLagRatio\s+2\s+our-choice\s+unverified/m);
    expect(out).toContain(`why unverified: ${PAPER.grokLagRatio.unverifiedBecause}`);
  });

  it('--json has the quote and the reason fields', async () => {
    const rows = JSON.parse(await run('--json')) as Array<{
      key: string;
      verified: boolean;
      quote?: { text: string; where: string };
      unverifiedBecause?: string;
    }>;
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect(byKey.get('trainingRatio')).toMatchObject({ verified: true, quote: { text: 'Training ratio (R) 0.9', where: 'Table 2' } });
    expect(byKey.get('pixelRange')?.unverifiedBecause).toBeTruthy();
  });
});
