#!/usr/bin/env bash
# Every WebGPU measurement of `npm run bench -- webgpu` on a lent GPU machine (NVIDIA H200: no Node,
# no npm packages, no network) in one call of the device tool, well under its 10-minute limit.
#
# 1. Here, on a CPU machine with the project built (npm run build), from the project root:
#      bash scripts/gpu-bench.sh prepare
#    fills .gpu/ (Node, Dawn and the Vulkan/EGL loaders by the shared prepare.sh; the Fashion-MNIST
#    training set) and build/bench/ (the bench bundled with its npm dependencies).
# 2. There: the device tool's run with carry [".gpu", "build/bench"], timeout_s 540 and command
#      bash .gpu/setup.sh && . .gpu/env.sh && bash scripts/gpu-bench.sh run
#    The tables go to stdout and to $OUT/webgpu-bench.md.
# A smoke test of step 2 here on the software adapter (small shapes, 2000 training images):
#      bash scripts/gpu-bench.sh run software --small
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
case "${1:-}" in
prepare)
  shared=${DESCENT_SHARED:-$root/../shared}; [ -d "$shared/gpu" ] || shared=/work/shared
  if [ -d .git ]; then bash "$shared/gpu/prepare.sh"
  else # a git worktree: prepare.sh writes .git/info/exclude, so it runs in a scratch folder
    t=$(mktemp -d); mkdir -p "$t/.git/info"
    (cd "$t" && NODE_PATH="$root/node_modules" bash "$shared/gpu/prepare.sh")
    rm -rf .gpu; mv "$t/.gpu" .gpu; rm -rf "$t"
  fi
  # the training set only, images as xz (4 MB less than gzip): the device tool carries 64 MiB in all
  data=${FASHION_MNIST_DIR:-$shared/data/fashion-mnist}
  mkdir -p .gpu/data; cp "$data/train-labels-idx1-ubyte.gz" .gpu/data/
  [ -f .gpu/data/train-images-idx3-ubyte.xz ] || gzip -dc "$data/train-images-idx3-ubyte.gz" | xz -9e -T2 > .gpu/data/train-images-idx3-ubyte.xz
  node scripts/gpu-bench.mjs
  du -sh .gpu build/bench; echo "with the tracked files: $(( ($(git ls-files -z | xargs -0 cat | wc -c) + $(cat .gpu/*.* .gpu/*/* .gpu/*/*/*/* build/bench/gpu-bench.mjs build/bench/webgpu-entry.js 2>/dev/null | wc -c)) >> 20 )) MiB of 64" ;;
run)
  shift
  out=${OUT:-$root/build/bench}
  data=$(mktemp -d); cp .gpu/data/train-labels-idx1-ubyte.gz "$data/"
  xz -dc .gpu/data/train-images-idx3-ubyte.xz | gzip -1 > "$data/train-images-idx3-ubyte.gz"
  FASHION_MNIST_DIR=$data node --experimental-wasm-relaxed-simd build/bench/gpu-bench.mjs "${@:-hardware}" 2>&1 | tee "$out/webgpu-bench.md" ;;
*) echo "usage: bash scripts/gpu-bench.sh prepare | run [hardware|software|any] [--small|--full]" >&2; exit 2 ;;
esac
