#!/usr/bin/env bash
# The webgpu backend in CI, without a GPU: installs Mesa's CPU Vulkan driver (lavapipe) from Debian's packages
# into a private folder, .cache/lavapipe (the system's libraries and apt state are not touched: apt runs with its
# own source list, lists and cache there, and the packages are unpacked with dpkg-deb -x, not installed), writes
# .cache/lavapipe/env.sh (VK_ICD_FILENAMES and LD_LIBRARY_PATH for that driver), then runs the webgpu checks:
#   1. the every-backend engine specs (and webgpu.test.ts: kernel coverage, training steps against wasm) on webgpu;
#   2. `grokdiff train --backend webgpu` for a few cpu-n1 steps, with the loss compared to wasm's.
# Lavapipe is a correctness path (tens of times slower than wasm), not a speed path.
#
# Debian 12's own Mesa (22.3) is refused by Dawn (it lacks shaderUniform*ArrayDynamicIndexing); Mesa 25 from
# bookworm-backports works, so on Debian the backports suite of the running release is added to the private list.
#
# When the driver cannot be installed (not Debian, no apt, no network to deb.debian.org, Dawn finds no adapter) it
# prints why and exits 0, so CI passes with the webgpu checks skipped; a webgpu check that runs and fails exits 1.
# Usage: .ci/webgpu-setup.sh [--install-only]      (then: source .cache/lavapipe/env.sh; npx grokdiff --backend webgpu …)
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
DIR=$REPO/.cache/lavapipe
ENV_FILE=$DIR/env.sh
INSTALL_ONLY=0
[ "${1:-}" = "--install-only" ] && INSTALL_ONLY=1

skip() {
  echo "webgpu: SKIPPED, $*" >&2
  echo "webgpu: the webgpu specs stay skipped (describeWithBackends prints the reason); CI continues without them" >&2
  exit 0
}

# An adapter probe in a child process: prints the adapter's description, or fails.
probe() {
  node -e "
    const { create } = require('webgpu');
    create([]).requestAdapter().then((a) => {
      if (!a) { console.error('Dawn found no adapter'); process.exit(1); }
      console.log(a.info.description || a.info.device);
      process.exit(0);
    }, (e) => { console.error(String(e)); process.exit(1); });
  " 2> >(grep -v '^Warning: max' >&2)
}

install_lavapipe() {
  [ "$(uname -s)" = Linux ] || skip "lavapipe is installed only on Linux (macOS: Dawn uses Metal, no driver needed)"
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || skip "apt-get / dpkg-deb not found (lavapipe is taken from Debian's packages)"
  # shellcheck disable=SC1091
  . /etc/os-release 2>/dev/null || skip "no /etc/os-release"
  [ "${ID:-}" = debian ] || skip "this is ${PRETTY_NAME:-not Debian}; the script takes Mesa from Debian's archive (install mesa-vulkan-drivers >= 23 yourself and set VK_ICD_FILENAMES to its lvp_icd json)"
  local codename=${VERSION_CODENAME:-}
  [ -n "$codename" ] || skip "no VERSION_CODENAME in /etc/os-release"
  local arch multiarch
  arch=$(dpkg --print-architecture)
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")

  rm -rf "$DIR"
  mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" "$DIR/debs" "$DIR/root"
  cat >"$DIR/apt/sources.list" <<EOF
deb http://deb.debian.org/debian $codename main
deb http://deb.debian.org/debian $codename-updates main
deb http://deb.debian.org/debian $codename-backports main
EOF
  local apt=(apt-get -q -o "Dir::Etc::sourcelist=$DIR/apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent
    -o "Dir::State::Lists=$DIR/apt/lists" -o "Dir::Cache=$DIR/apt/cache" -o Debug::NoLocking=1
    -o APT::Sandbox::User=root -o Acquire::Retries=2)
  echo "webgpu: fetching Debian's package lists for $codename (+ backports) into $DIR/apt"
  "${apt[@]}" update >"$DIR/apt-update.log" 2>&1 || skip "apt-get update against deb.debian.org failed (no network?): $(tail -n 2 "$DIR/apt-update.log" | tr '\n' ' ')"
  # What installing the backports driver would add or upgrade on this system (simulated: nothing is installed).
  # Only the driver is taken from backports; apt adds what it needs (newer libdrm) and nothing else.
  "${apt[@]}" install -s --no-install-recommends "mesa-vulkan-drivers/$codename-backports" libvulkan1 >"$DIR/apt-plan.log" 2>&1 ||
    skip "apt could not resolve mesa-vulkan-drivers from $codename-backports: $(tail -n 2 "$DIR/apt-plan.log" | tr '\n' ' ')"
  local pkgs=()
  while read -r name version; do pkgs+=("$name=$version"); done < <(sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) .*/\1 \3/p' "$DIR/apt-plan.log")
  [ "${#pkgs[@]}" -gt 0 ] || skip "apt planned no packages (is mesa-vulkan-drivers already installed? then set VK_ICD_FILENAMES yourself)"
  echo "webgpu: downloading ${pkgs[*]}"
  (cd "$DIR/debs" && "${apt[@]}" download "${pkgs[@]}" >"$DIR/apt-download.log" 2>&1) || skip "apt-get download failed: $(tail -n 2 "$DIR/apt-download.log" | tr '\n' ' ')"
  local deb
  for deb in "$DIR"/debs/*.deb; do dpkg-deb -x "$deb" "$DIR/root" || skip "dpkg-deb -x $deb failed"; done
  local lib=$DIR/root/usr/lib/$multiarch
  [ -f "$lib/libvulkan_lvp.so" ] || skip "the unpacked packages hold no libvulkan_lvp.so"
  local api
  api=$(sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$DIR"/root/usr/share/vulkan/icd.d/lvp_icd*.json | head -n 1)
  cat >"$DIR/lvp_icd.json" <<EOF
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$lib/libvulkan_lvp.so", "api_version": "${api:-1.3.0}" } }
EOF
  cat >"$ENV_FILE" <<EOF
# Mesa's CPU Vulkan driver (lavapipe), unpacked by .ci/webgpu-setup.sh; source this to use --backend webgpu on it.
export VK_ICD_FILENAMES=$DIR/lvp_icd.json
export LD_LIBRARY_PATH=$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
EOF
  echo "webgpu: lavapipe $(ls "$DIR"/debs | sed -n 's/^mesa-vulkan-drivers_\([^_]*\)_.*/\1/p') unpacked into $DIR ($arch)"
}

[ -d node_modules/webgpu ] && [ -d node_modules/@tensorflow/tfjs-backend-webgpu ] ||
  skip "the optional dependencies webgpu / @tensorflow/tfjs-backend-webgpu are not installed (npm ci skipped them?)"

# Reuse an earlier install when it still gives an adapter (CI caches .cache/ between runs where it can).
adapter=""
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  adapter=$( (. "$ENV_FILE" && probe) 2>/dev/null) || adapter=""
fi
if [ -z "$adapter" ]; then
  install_lavapipe
  # shellcheck disable=SC1090
  adapter=$( (. "$ENV_FILE" && probe) 2>"$DIR/probe.log") || skip "Dawn found no adapter on the unpacked lavapipe: $(tr '\n' ' ' <"$DIR/probe.log")"
fi
echo "webgpu: Dawn adapter: $adapter"
[ "$INSTALL_ONLY" = 1 ] && { echo "webgpu: source $ENV_FILE to use it"; exit 0; }

# shellcheck disable=SC1090
. "$ENV_FILE"
export GROKDIFF_NATIVE=0
status=0

echo "webgpu: engine specs on webgpu (lavapipe)"
npx vitest run src/engine --tags-filter=webgpu || status=1

echo "webgpu: grokdiff train --backend webgpu vs wasm, cpu-n1, 3 steps (2 sampling steps in the final evaluation)"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
train=(train --preset cpu-n1 --seed 1 --set train.steps=3 --set train.samplingSteps=2)
for b in wasm webgpu; do
  start=$(date +%s)
  if ! npx grokdiff --backend "$b" "${train[@]}" --out "$OUT/$b" >"$OUT/$b.log" 2>&1; then
    echo "webgpu: grokdiff train on $b failed:"; grep -v '^Warning: max' "$OUT/$b.log" | tail -n 20; status=1; continue
  fi
  echo "webgpu: $b: $(($(date +%s) - start)) s wall for 3 steps + final evaluation (measured, CI machine load included)"
done
if [ "$status" = 0 ]; then
  node -e "
    const fs = require('fs');
    const row = (b) => JSON.parse(fs.readFileSync('$OUT/' + b + '/metrics.jsonl', 'utf8').trim().split('\n').pop());
    const prov = JSON.parse(fs.readFileSync('$OUT/webgpu/provenance.json', 'utf8'));
    const w = row('wasm'), g = row('webgpu');
    const rel = Math.abs(w.loss - g.loss) / Math.abs(w.loss);
    console.log('webgpu: mean loss over steps 1-3: wasm ' + w.loss + ', webgpu ' + g.loss + ' (relative difference ' + rel.toExponential(2) + ')');
    console.log('webgpu: train accuracy wasm ' + w.trainAcc + ', webgpu ' + g.trainAcc + '; provenance adapter: ' + JSON.stringify(prov.webgpuAdapter && prov.webgpuAdapter.description));
    // float32 agreement: wasm itself differs from the cpu reference by about 2e-5 relative on this loss
    if (!(rel < 1e-4)) { console.error('webgpu: the losses differ by more than 1e-4 relative'); process.exit(1); }
  " || status=1
fi
[ "$status" = 0 ] && echo "webgpu: all webgpu checks passed" || echo "webgpu: FAILED" >&2
exit "$status"
