#!/bin/sh
# Reproducible C baseline for the Go DTW / discrete Fréchet kernels.
# Usage: tfm/distance/testdata/cbench/run.sh [N] [REPS]
set -e
dir=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
gcc -O3 -o "$out/dtw" "$dir/dtw.c" -lm
"$out/dtw" "${1:-1000}" "${2:-200}"
rm -rf "$out"
