// Backend choice: validation of flags and GROKDIFF_BACKEND, the auto order and its one-line report, errors
// for explicitly requested backends that cannot load (with how to get them), and engine provenance.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { availableBackends, currentBackend, engineInfo, initBackend, parseBackendChoice, type ResolvedBackend } from './backend.ts';
import { gradientsRegistered } from './gradients.ts';
import { isWasmFastPathInstalled } from './wasm-matmul.ts';
import { probeWebGpuSync } from './webgpu.ts';
import { environment, readEnvironment } from '../config/environment.ts';
import { ConfigError, EngineError } from '../errors.ts';

const available = new Map(availableBackends().map((a) => [a.backend, a.available]));
// auto takes webgpu only on a GPU adapter; a CPU one (lavapipe) is skipped with the reason.
const webgpuProbe = available.get('webgpu') ? probeWebGpuSync() : null;
const webgpuGpu = webgpuProbe?.adapter != null && !webgpuProbe.adapter.fallback;
const expectedAuto: ResolvedBackend = (['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const).find((b) => (b === 'webgpu' ? webgpuGpu : available.get(b)))!;

describe('parseBackendChoice / GROKDIFF_BACKEND', () => {
  it('accepts the six choices, case- and space-insensitively', () => {
    for (const c of ['auto', 'node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const) expect(parseBackendChoice(c, '--backend')).toBe(c);
    expect(parseBackendChoice(' WASM ', '--backend')).toBe('wasm');
  });
  it('rejects anything else with a ConfigError naming the flag and the choices', () => {
    expect(() => parseBackendChoice('gpu', '--backend')).toThrow(ConfigError);
    expect(() => parseBackendChoice('gpu', '--backend')).toThrow(/--backend: unknown backend "gpu"; expected one of auto, node-gpu, webgpu, node, wasm, cpu/);
  });
  it('GROKDIFF_BACKEND is read by src/config/environment.ts: unset or empty is auto', () => {
    expect(readEnvironment({}).backend).toBe('auto');
    expect(readEnvironment({ GROKDIFF_BACKEND: '' }).backend).toBe('auto');
    expect(readEnvironment({ GROKDIFF_BACKEND: ' CPU ' }).backend).toBe('cpu');
    expect(() => readEnvironment({ GROKDIFF_BACKEND: 'tpu' })).toThrow(/GROKDIFF_BACKEND="tpu" is not understood; use auto, node-gpu, webgpu, node, wasm, cpu/);
  });
});

describe('initBackend', () => {
  it('lists cpu and wasm as available here', () => {
    expect(available.get('cpu')).toBe(true);
    expect(available.get('wasm')).toBe(true);
  });

  it('uses GROKDIFF_BACKEND when no choice is given, and registers gradients', async () => {
    expect(await initBackend(undefined, { settings: readEnvironment({ GROKDIFF_BACKEND: 'cpu' }) })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(currentBackend()).toBe('cpu');
    expect(gradientsRegistered()).toBe(true);
  });

  it(`auto picks ${expectedAuto} here and reports it once in a short line, or with --verbose with the reasons for skipping`, async () => {
    await initBackend('cpu');
    const short: string[] = [];
    expect(await initBackend('auto', { log: (line) => short.push(line), settings: readEnvironment({}) })).toBe(expectedAuto);
    if (expectedAuto !== 'cpu') {
      expect(short).toHaveLength(1);
      expect(short[0]).toMatch(new RegExp(`^grokdiff: backend ${expectedAuto}(, \\d+ threads?)?( on .*)? \\(details: grokdiff env, or --verbose\\)$`));
      expect(short[0].length).toBeLessThan(120);
    }
    await initBackend('cpu');
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    expect(await initBackend('auto', { log, verbose: true, settings: readEnvironment({}) })).toBe(expectedAuto);
    expect(await initBackend('auto', { log, verbose: true, settings: readEnvironment({}) })).toBe(expectedAuto);
    expect(await initBackend(undefined, { log, verbose: true, settings: readEnvironment({}) })).toBe(expectedAuto);
    if (expectedAuto === 'cpu') return; // cpu was already active: nothing changed, nothing to report
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`tfjs backend ${expectedAuto} (auto)`);
    if (!available.get('node-gpu')) expect(lines[0]).toContain('node-gpu: @tensorflow/tfjs-node-gpu is not installed');
    if (!available.get('node')) expect(lines[0]).toContain('node: @tensorflow/tfjs-node is not installed');
    if (expectedAuto !== 'node-gpu' && !webgpuGpu) expect(lines[0]).toMatch(/; skipped .*webgpu: /);
    if (webgpuProbe?.adapter?.fallback) expect(lines[0]).toContain('webgpu: the only WebGPU adapter is a CPU one');
    if (expectedAuto === 'webgpu') expect(lines[0]).toContain(`on ${webgpuProbe!.reason}`);
    if (expectedAuto === 'wasm') {
      // readEnvironment({}): GROKDIFF_WASM_FASTPATH is unset, so the fast path is on.
      expect(lines[0]).toContain('matMul fast path on');
      expect(isWasmFastPathInstalled()).toBe(true);
    }
  });

  it.skipIf(available.get('node'))('an explicit node backend that is not installed is an EngineError saying how to get it', async () => {
    const err = await initBackend('node', { source: '--backend' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('backend-unavailable');
    expect((err as EngineError).message).toMatch(/backend "node" \(from --backend\) cannot be used: @tensorflow\/tfjs-node is not installed/);
    expect((err as EngineError).message).toContain('npm install @tensorflow/tfjs-node@4.22.0');
  });

  it.skipIf(available.get('node-gpu'))('an explicit node-gpu backend that is not installed names CUDA 11.2 and cuDNN 8.1', async () => {
    const err = await initBackend('node-gpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toContain('CUDA 11.2');
    expect((err as EngineError).message).toContain('cuDNN 8.1');
    expect((err as EngineError).message).toContain('downloads libtensorflow');
  });

  it.skipIf(available.get('webgpu') && webgpuProbe?.adapter != null)(
    'an explicit webgpu backend without an adapter is an EngineError saying why and how to get one',
    async () => {
      const err = await initBackend('webgpu', { source: '--backend' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).message).toMatch(/backend "webgpu" \(from --backend\) cannot be used: /);
      expect((err as EngineError).message).toContain('.ci/webgpu-setup.sh');
      expect((err as EngineError).message).toContain('Metal on macOS');
    },
  );

  it('engineInfo gives the backend and the tfjs package versions for provenance', async () => {
    await initBackend('wasm');
    const info = engineInfo();
    expect(info.backend).toBe('wasm');
    expect(info.tfjsBackend).toBe('wasm');
    expect(info.wasmFastPath).toBe(environment().wasmFastPath);
    expect(info.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(info.versions['@tensorflow/tfjs-backend-wasm']).toBe('4.22.0');
    expect(info.versions['@tensorflow/tfjs-backend-cpu']).toBe('4.22.0');
    expect(info.node).toBe(process.version);
    expect(info.webgpuAdapter).toBeNull();
    await initBackend('cpu');
    expect(engineInfo().backend).toBe('cpu');
  });
});
