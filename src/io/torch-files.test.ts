// Pickled PyTorch files are recognised by name or by their first bytes, and the conversion command names both files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conversionCommand, isPickledTorchFile, looksPickled, safetensorsNameFor } from './torch-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-torch-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pickled PyTorch files', () => {
  it('are recognised by their name or by a zip or pickle header, not a safetensors one', () => {
    const write = (name: string, bytes: number[]) => {
      const p = join(dir, name);
      writeFileSync(p, Uint8Array.from(bytes));
      return p;
    };
    expect(isPickledTorchFile(write('m.pt', [1, 2, 3]))).toBe(true);
    expect(isPickledTorchFile(write('m.BIN', [1, 2, 3]))).toBe(true);
    expect(isPickledTorchFile(write('zip.safetensors', [0x50, 0x4b, 0x03, 0x04, 0, 0]))).toBe(true);
    expect(isPickledTorchFile(write('pickle.safetensors', [0x80, 0x02, 0x7d]))).toBe(true);
    expect(isPickledTorchFile(write('real.safetensors', [16, 0, 0, 0, 0, 0, 0, 0, 0x7b]))).toBe(false);
    expect(looksPickled(Uint8Array.from([0x80, 0x09]))).toBe(false);
  });

  it('get a one-line Python conversion to safetensors that never unpickles code', () => {
    expect(safetensorsNameFor('/a/model.pt')).toBe('/a/model.safetensors');
    const cmd = conversionCommand('/a/model.pt');
    expect(cmd).not.toContain('\n');
    expect(cmd).toContain("torch.load('model.pt', map_location='cpu', weights_only=True)");
    expect(cmd).toContain("'model.safetensors'");
  });
});
