#!/usr/bin/env bash
# gpu-check.sh — the XLA/CUDA path end to end, on a machine with an NVIDIA GPU.
#
#   kernels/gpu-check.sh [CHAPTER.ipynb]      (default chapter: notebooks/08_contrastive.ipynb)
#
# 1. finds the PJRT CUDA plugin: where tfm/backend looks (PJRT_PLUGIN_LIBRARY_PATH, ~/.local/lib/go-xla,
#    /usr/local/lib/go-xla: the Docker image's), else JAX's pip wheel (jax-cuda13-pjrt, `xla_cuda_plugin.so`),
#    linked into a temporary folder under the name go-xla loads, with the wheel's nvidia/ libraries beside it;
# 2. runs the reference Transformer benchmarks (train step, encoding; tfm/pretrain's BenchmarkTrainStepReference
#    and BenchmarkEncodeReference) on xla:cuda and prints steps/s and sequences/s;
# 3. runs one chapter in quick mode on the "TFM Go (XLA CUDA)" kernel (when Jupyter and the kernels are
#    installed: kernels/install.sh) and prints its time.
# It never downloads a plugin (GOMLX_NO_AUTO_INSTALL=1). Exit status: 0 when every step ran, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1 GOMLX_BACKEND=xla:cuda
export PATH="$PATH:$(go env GOPATH 2>/dev/null)/bin"
chapter="${1:-notebooks/08_contrastive.ipynb}"
fail=0

if ! nvidia-smi -L; then
	echo "gpu-check: nvidia-smi found no NVIDIA GPU" >&2
	exit 1
fi

have_plugin() {
	local d
	IFS=: read -ra dirs <<<"${PJRT_PLUGIN_LIBRARY_PATH:-}"
	for d in "${dirs[@]}" "$HOME/.local/lib/go-xla" /usr/local/lib/go-xla; do
		[[ -n "$d" && -e "$d/pjrt_c_api_cuda_plugin.so" ]] && return 0
	done
	return 1
}
if ! have_plugin; then
	wheel=$(python3 -c 'import os, jax_plugins.xla_cuda13 as p; print(os.path.dirname(p.__file__))' 2>/dev/null || true)
	if [[ -z "$wheel" || ! -e "$wheel/xla_cuda_plugin.so" ]]; then
		echo "gpu-check: no PJRT CUDA plugin: install one (docker/Dockerfile does; or pip install jax[cuda13])" >&2
		exit 1
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/lib"
	ln -s "$wheel/xla_cuda_plugin.so" "$tmp/lib/pjrt_c_api_cuda_plugin.so"
	site=$(dirname "$(dirname "$wheel")")
	[[ -d "$site/nvidia" ]] && ln -s "$site/nvidia" "$tmp/nvidia" # go-xla looks for ../nvidia beside the plugin
	export PJRT_PLUGIN_LIBRARY_PATH="$tmp/lib"
	echo "gpu-check: using JAX's CUDA plugin from $wheel"
fi

echo "== reference Transformer on xla:cuda (2 layers, d=128, batch 64 × seq 64; encoding batch 256)"
if ! go test -tags xla -run '^$' -bench 'Reference/attn=core' -benchtime 50x ./tfm/pretrain/ | tee /dev/stderr |
	grep -E 'steps/s|seq/s' >/dev/null; then
	echo "gpu-check: the reference benchmarks failed" >&2
	fail=1
fi

echo "== $chapter on the TFM Go (XLA CUDA) kernel, quick mode"
if jupyter kernelspec list 2>/dev/null | grep -q tfm_go_xla_cuda; then
	start=$SECONDS
	if go run -tags xla ./tfm/cmd/tfm notebooks run --quick --no-html --force --kernel tfm_go_xla_cuda \
		--out out/gpu-check "$chapter"; then
		echo "gpu-check: $chapter ran on xla:cuda in $((SECONDS - start)) s"
	else
		echo "gpu-check: $chapter failed on xla:cuda" >&2
		fail=1
	fi
else
	echo "gpu-check: the tfm_go_xla_cuda kernel is not installed (kernels/install.sh): chapter skipped" >&2
	fail=1
fi
exit $fail
