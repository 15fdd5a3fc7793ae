#!/usr/bin/env bash
# Installs the benchmark's peer: Debian's PyTorch (python3-torch, for /usr/bin/python3) linked against
# OpenBLAS (libopenblas0-pthread) rather than the reference BLAS — measured here, the reference BLAS makes
# a training step ~17x slower, which would make PyTorch a straw man. Idempotent; needs root or sudo and
# Debian's package archive. Not part of `npm test`.
set -euo pipefail
if /usr/bin/python3 -c 'import torch' 2>/dev/null && /usr/sbin/ldconfig -p | grep -q 'libopenblas.so.0'; then
  echo "peer ready: $(/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)')"
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread
# Make OpenBLAS the BLAS/LAPACK alternative PyTorch loads.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas | head -1 || true)
  [ -n "$target" ] && $SUDO update-alternatives --set "$alt" "$target" >/dev/null
done
echo "peer ready: $(/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)')"
