// Benchmark of the wasm matMul fast path on the products a training step of the diffusion transformer
// makes: the forward product and both gradient products (dX = dY·Wᵀ, dW = Xᵀ·dY) of linear layers shaped
// like a transformer layer on [B·3 tokens, d], a 3-D [B, 3, d] linear layer, an MLP block, 512×512 squares
// and small batched attention products. Each scenario is timed with the fast path off (the stock
// tfjs-backend-wasm kernels), on (default: JS transposes) and on with the wasm Transpose kernel, in the same
// process, interleaved, median of several runs after warm-up.
//
// Usage: npx tsx bench/matmul-grad.bench.ts [--runs 7] [--warmup 2] [--tokens 768]

import * as tf from '@tensorflow/tfjs-core';
import { cpus } from 'node:os';
import { engineInfo, initBackend } from '../src/engine/backend.ts';
import { installWasmFastPath, uninstallWasmFastPath, type WasmFastPathOptions } from '../src/engine/wasm-matmul.ts';
import { rootRng } from '../src/engine/random.ts';
import { ConfigError } from '../src/errors.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new ConfigError('bench-argument', `--${name} needs a positive number, got '${process.argv[i + 1]}'`);
  return v;
}

const RUNS = arg('runs', 7);
const WARMUP = arg('warmup', 2);
const TOKENS = arg('tokens', 768); // B·3 with B = 256 pairs

interface Scenario {
  name: string;
  shapes: string;
  /** Builds the inputs once; returns a function computing loss gradients w.r.t. all of them. */
  setup: () => { inputs: tf.Tensor[]; f: (...xs: tf.Tensor[]) => tf.Scalar };
}

const rng = rootRng(1).fork('bench');
const randn = (shape: number[], std = 1) =>
  tf.tensor(
    rng.normalArray(
      shape.reduce((a, d) => a * d, 1),
      std,
    ),
    shape,
  );

const d = 128;
const hidden = 512;
const B = Math.max(1, Math.round(TOKENS / 3));

const SCENARIOS: Scenario[] = [
  {
    name: 'linear 2-D',
    shapes: `[${TOKENS},${d}]·[${d},${hidden}]`,
    setup: () => ({ inputs: [randn([TOKENS, d]), randn([d, hidden], 0.1)], f: (x, w) => tf.sum(tf.square(tf.matMul(x, w))) }),
  },
  {
    name: 'linear 3-D',
    shapes: `[${B},3,${d}]·[${d},${hidden}]`,
    setup: () => ({ inputs: [randn([B, 3, d]), randn([d, hidden], 0.1)], f: (x, w) => tf.sum(tf.square(tf.matMul(x, w))) }),
  },
  {
    name: 'MLP block',
    shapes: `[${TOKENS},${d}]·[${d},${hidden}]·[${hidden},${d}]`,
    setup: () => ({
      inputs: [randn([TOKENS, d]), randn([d, hidden], 0.1), randn([hidden, d], 0.05)],
      f: (x, w1, w2) => tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(x, w1)), w2))),
    }),
  },
  {
    name: 'square 512',
    shapes: '[512,512]·[512,512]',
    setup: () => ({ inputs: [randn([512, 512]), randn([512, 512], 0.05)], f: (a, b) => tf.sum(tf.square(tf.matMul(a, b))) }),
  },
  {
    name: 'attention scores',
    shapes: `[${B * 4},3,32]·[${B * 4},3,32]ᵀ`,
    setup: () => ({
      inputs: [randn([B * 4, 3, 32]), randn([B * 4, 3, 32])],
      f: (q, k) => tf.sum(tf.square(tf.matMul(q, k, false, true))),
    }),
  },
];

type Variant = { label: string; options: WasmFastPathOptions | 'off' };
const VARIANTS: Variant[] = [
  { label: 'off', options: 'off' },
  { label: 'on', options: {} },
  { label: 'on (wasm Transpose)', options: { transpose: 'kernel' } },
];

function setVariant(v: Variant): void {
  if (v.options === 'off') uninstallWasmFastPath();
  else installWasmFastPath(v.options);
}

function gradStep(inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Scalar): number {
  const t0 = performance.now();
  const grads = tf.grads(f)(inputs);
  for (const g of grads) g.dataSync();
  const ms = performance.now() - t0;
  tf.dispose(grads);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  await initBackend('wasm', { source: 'bench' });
  const info = engineInfo();
  console.log(
    `matMul gradient step, tfjs ${info.versions['@tensorflow/tfjs-core']} wasm backend, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), node ${info.node}`,
  );
  console.log(`median of ${RUNS} runs after ${WARMUP} warm-up runs per variant; variants interleaved\n`);
  const rows: string[][] = [];
  for (const sc of SCENARIOS) {
    const { inputs, f } = sc.setup();
    const times = new Map<string, number[]>(VARIANTS.map((v) => [v.label, []]));
    for (const v of VARIANTS) {
      setVariant(v);
      for (let i = 0; i < WARMUP; i++) gradStep(inputs, f);
    }
    for (let r = 0; r < RUNS; r++) {
      for (const v of VARIANTS) {
        setVariant(v);
        times.get(v.label)!.push(gradStep(inputs, f));
      }
    }
    tf.dispose(inputs);
    const med = VARIANTS.map((v) => median(times.get(v.label)!));
    rows.push([sc.name, sc.shapes, ...med.map((m) => m.toFixed(1)), `${(med[0] / med[1]).toFixed(1)}x`, `${(med[0] / med[2]).toFixed(1)}x`]);
    process.stderr.write(`  ${sc.name} done\n`);
  }
  installWasmFastPath();
  const header = ['scenario', 'shapes', 'off ms', 'on ms', 'on (wasm Transpose) ms', 'speed-up', 'speed-up (wasm Transpose)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
