#!/usr/bin/env bash
# Runs the balancing explorer (tfm/notebook/explore) in real Jupyter and drives its widgets from headless
# Chromium: a temporary notebook holding an explorer cell, two presses of "run" with different settings,
# then a screenshot of the page with both points on the trade-off figure.
#
#   kernels/explorer-screenshot.sh OUT.png
#   kernels/explorer-screenshot.sh OUT.png -settings fixed@0.2,uncertainty@0.5,fixed@0.8 -keep
#
# The flags after OUT.png go to kernels/drive (go run . -h lists them: -settings, -kernel, -trips,
# -timeout, -width, -keep). Needs: jupyter-notebook, chromium, the course's kernels (kernels/install.sh),
# and the drive module's dependency chromedp in the module cache or reachable through the Go proxy.
set -euo pipefail
usage="usage: explorer-screenshot.sh OUT.png [DRIVE FLAGS…]"
out="${1:?$usage}"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}" GOEXPERIMENT="${GOEXPERIMENT:-simd}"
out="$(realpath -m "$out")"
cd "$root/kernels/drive"
go run . -repo "$root" -out "$out" "$@"
