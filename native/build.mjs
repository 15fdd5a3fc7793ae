// Builds grokdiff's optional native kernels (native/grokdiff_kernels.c and gemm.c → native/build/grokdiff_kernels.node),
// issue #8. No node-gyp and no download: it needs a C compiler ($CC, else cc, gcc or clang) and the
// node_api.h that ships with Node (next to the node binary, or under $npm_config_nodedir). The addon is
// compiled for THIS machine's CPU (-march=native), so build it where it runs.
//
//   node native/build.mjs             build; exit 1 with the reason when it cannot
//   node native/build.mjs --optional  the same, but exit 0 (npm's postinstall: grokdiff then runs on plain wasm)
//
// The file is written atomically (compiled to a temporary name, loaded once as a check, then renamed), so an
// interrupted or failed build never leaves a half-written addon behind.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSignature } from './cpu-signature.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sources = [join(here, 'grokdiff_kernels.c'), join(here, 'gemm.c')];
const outDir = join(here, 'build');
const target = join(outDir, 'grokdiff_kernels.node');
const optional = process.argv.includes('--optional');
/** Beside the addon: the CPU it was compiled for (-march=native). src/engine/wasm-native.ts refuses to load it
 * on another CPU, where it could die of an illegal instruction instead of falling back to wasm. */
const infoFile = join(outDir, 'grokdiff_kernels.json');

function say(line) {
  process.stderr.write(`grokdiff native kernels: ${line}\n`);
}

function giveUp(reason) {
  if (optional) {
    say(`not built (${reason}); grokdiff runs on plain wasm. \`npm run build:native\` retries.`);
    process.exit(0);
  }
  say(`cannot build: ${reason}`);
  process.exit(1);
}

function nodeHeaders() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, 'include', 'node') : null,
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h'))) ?? null;
}

function compiler() {
  const names = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean);
  return names.find((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0) ?? null;
}

if (process.platform === 'win32') giveUp('Windows is not supported by this build script');
const headers = nodeHeaders();
if (headers === null) giveUp("Node's node_api.h was not found (install Node's headers, or set npm_config_nodedir)");
const cc = compiler();
if (cc === null) giveUp('no C compiler ($CC, cc, gcc or clang) was found');

mkdirSync(outDir, { recursive: true });
const temporary = join(outDir, `grokdiff_kernels.tmp-${process.pid}.node`);
const base = ['-O3', '-march=native', '-fPIC', '-shared', '-std=gnu11', '-pthread', `-I${headers}`, `-I${here}`, '-o', temporary, ...sources];
if (process.platform === 'darwin') base.push('-undefined', 'dynamic_lookup');
// Fast math lets the compiler use glibc's vectorised erff/expf (libmvec); without libmvec it still builds.
const attempts = [
  { extra: ['-ffast-math', '-fopenmp-simd'], libs: ['-lmvec', '-lm', '-ldl', '-lpthread'] },
  { extra: ['-ffast-math'], libs: ['-lm', '-ldl', '-lpthread'] },
  { extra: [], libs: ['-lm', '-ldl', '-lpthread'] },
];
let built = null;
const errors = [];
for (const { extra, libs } of attempts) {
  const flags = [...extra, '-O3', '-march=native'];
  const args = [...extra, ...base, `-DGROKDIFF_CFLAGS="${flags.join(' ')}"`, ...libs];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.status === 0) {
    built = flags.join(' ');
    break;
  }
  errors.push(`${cc} ${extra.join(' ')}: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
}
if (built === null) {
  rmSync(temporary, { force: true });
  giveUp(`compilation failed: ${errors.join('; ')}`);
}
try {
  const addon = createRequire(import.meta.url)(temporary);
  const info = addon.info();
  const infoTemporary = `${infoFile}.tmp-${process.pid}`;
  writeFileSync(infoTemporary, `${JSON.stringify({ cpu: cpuSignature(), cflags: built, compiler: cc }, null, 2)}\n`);
  renameSync(infoTemporary, infoFile);
  renameSync(temporary, target);
  say(`built ${target} with ${cc} ${built}; matrix products: ${info.matmul}`);
} catch (err) {
  rmSync(temporary, { force: true });
  giveUp(`the compiled addon does not load: ${err.message}`);
}
