#!/usr/bin/env bash
# Installs the notebook tool chain and registers the course's three Jupyter kernels.
#
#   kernels/install.sh            # install everything it can (idempotent: a second run changes nothing)
#   kernels/install.sh --check    # only report what is missing; exit 1 if anything is
#   kernels/install.sh --gopls-background   # as the first, but build gopls (about 2 minutes of the
#                                 # install's 4 on 2 cores) in the background at low priority, so the
#                                 # course opens sooner (`make course` does this); log: ~/.cache/tfm/gopls-install.log
#
# - Go tools, pinned in kernels/tools/go.mod: GoNB (the Go kernel), goimports, gopls.
#   They go to $(go env GOPATH)/bin (or $GOBIN); an already installed matching version is kept.
# - Kernel specs tfm_go_cpu, tfm_go_xla_cpu, tfm_go_xla_cuda ("TFM Go (CPU)", "TFM Go (XLA CPU)",
#   "TFM Go (XLA CUDA)") written to $JUPYTER_DATA_DIR/kernels (default: `jupyter --data-dir`,
#   i.e. ~/.local/share/jupyter). A spec file is only rewritten when its content changes.
# - Jupyter itself (Debian: jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient
#   python3-ipykernel) is installed with apt-get when running as root on Debian/Ubuntu;
#   otherwise the script names exactly what is missing and how to install it, and exits 1.
set -euo pipefail

# Pinned, whatever the shell says (GOTOOLCHAIN=local or another version would break GoMLX and the
# kernels, which inherit these values): GoMLX v0.28 needs Go 1.27, the Go backend needs simd.
export GOTOOLCHAIN=go1.27.3
export GOEXPERIMENT=simd
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
check_only=0
gopls_background=0
for arg in "$@"; do
	case "$arg" in
	--check) check_only=1 ;;
	--gopls-background) gopls_background=1 ;;
	*) echo "kernels/install.sh: unknown argument $arg (want --check or --gopls-background)" >&2; exit 2 ;;
	esac
done
gopls_log="${XDG_CACHE_HOME:-$HOME/.cache}/tfm/gopls-install.log"

say() { echo "kernels/install.sh: $*" >&2; }
missing=()

# --- Go -------------------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
	say "MISSING: go (Go >= 1.24 to bootstrap; the go1.27.3 toolchain is fetched by GOTOOLCHAIN). Install from https://go.dev/dl/ and put it on PATH."
	exit 1
fi
gobin="$(go env GOBIN)"
[[ -z "$gobin" ]] && gobin="$(go env GOPATH)/bin"
goroot_bin="$(dirname "$(command -v go)")"
export PATH="$gobin:$goroot_bin:$PATH"

# --- Jupyter --------------------------------------------------------------------------------
debian_pkgs=(jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel)
jupyter_missing() {
	local m=()
	local py=python3 j
	if j="$(command -v jupyter)"; then
		# Check the modules with the Python that runs `jupyter` (not a pyenv shim's).
		py="$(head -1 "$j" | sed -n 's/^#! *//p' | awk '{ if ($1 ~ /\/env$/) print $NF; else print $1 }')"
		[[ -z "$py" ]] && py=python3
	else
		m+=("jupyter (command)")
	fi
	command -v "$py" >/dev/null 2>&1 || { m+=("python3"); echo "${m[*]}"; return; }
	for mod in notebook nbconvert nbclient jupyter_client ipykernel; do
		"$py" -c "import $mod" >/dev/null 2>&1 || m+=("python module $mod")
	done
	echo "${m[*]:-}"
}
jm="$(jupyter_missing)"
if [[ -n "$jm" && $check_only == 0 ]]; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		say "installing Jupyter with apt-get: ${debian_pkgs[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debian_pkgs[@]}" >&2
		jm="$(jupyter_missing)"
	fi
fi
if [[ -n "$jm" ]]; then
	missing+=("Jupyter: $jm -- install with: sudo apt-get install ${debian_pkgs[*]}   (or: pip install notebook nbconvert nbclient ipykernel)")
fi

# --- Go tools (pinned in kernels/tools/go.mod) ----------------------------------------------
# Versions pinned by the tools module, read once: "module version" lines.
pinned="$(cd "$here/tools" && go list -m -f '{{.Path}} {{.Version}}' github.com/janpfeifer/gonb golang.org/x/tools golang.org/x/tools/gopls)"
# tool_version MODULE prints the version the tools module pins.
tool_version() { awk -v m="$1" '$1==m{print $2}' <<<"$pinned"; }
# installed_version BINARY prints the module version a binary was built from ("" if absent).
installed_version() {
	[[ -x "$gobin/$1" ]] || return 0
	go version -m "$gobin/$1" 2>/dev/null | awk '$1=="mod"{print $3; exit}'
}
declare -A tool_pkg=([gonb]=github.com/janpfeifer/gonb [goimports]=golang.org/x/tools/cmd/goimports [gopls]=golang.org/x/tools/gopls)
declare -A tool_mod=([gonb]=github.com/janpfeifer/gonb [goimports]=golang.org/x/tools [gopls]=golang.org/x/tools/gopls)
to_install=()
for t in gonb goimports gopls; do
	want="$(tool_version "${tool_mod[$t]}")"
	have="$(installed_version "$t")"
	if [[ "$have" == "$want" ]]; then
		say "$t $have already installed in $gobin"
	else
		say "$t: have '${have:-none}', want $want"
		if [[ $t == gopls && $gopls_background == 1 && $check_only == 0 ]]; then
			background_gopls="${tool_pkg[$t]}"
		else
			to_install+=("${tool_pkg[$t]}")
		fi
	fi
done
if ((${#to_install[@]})); then
	if [[ $check_only == 1 ]]; then
		missing+=("Go tools: ${to_install[*]} -- install with: kernels/install.sh")
	else
		say "go install ${to_install[*]} (from kernels/tools/go.mod)"
		(cd "$here/tools" && go install "${to_install[@]}")
	fi
fi
if [[ -n "${background_gopls:-}" ]]; then
	# GoNB needs gopls only for hover help and completion; the course runs without it meanwhile.
	mkdir -p "$(dirname "$gopls_log")"
	if pgrep -f "go install $background_gopls" >/dev/null 2>&1; then
		say "gopls is already being installed in the background (log: $gopls_log)"
	else
		(cd "$here/tools" && nohup nice -n 19 go install "$background_gopls" >"$gopls_log" 2>&1 &&
			echo "gopls installed in $gobin" >>"$gopls_log") </dev/null >/dev/null 2>&1 &
		say "installing gopls in the background at low priority (about 2 minutes; log: $gopls_log)"
	fi
fi

# --- Kernel specs ---------------------------------------------------------------------------
if [[ -n "${JUPYTER_DATA_DIR:-}" ]]; then
	data_dir="$JUPYTER_DATA_DIR"
elif command -v jupyter >/dev/null 2>&1; then
	data_dir="$(jupyter --data-dir)"
else
	data_dir="$HOME/.local/share/jupyter"
fi
kernel_path="$gobin:$goroot_bin:/usr/local/bin:/usr/bin:/bin"

# write_spec NAME DISPLAY BACKEND GOFLAGS
write_spec() {
	local dir="$data_dir/kernels/$1" tmp
	tmp="$(mktemp)"
	cat >"$tmp" <<JSON
{
  "argv": ["$gobin/gonb", "--kernel", "{connection_file}"],
  "display_name": "$2",
  "language": "go",
  "interrupt_mode": "message",
  "env": {
    "GOTOOLCHAIN": "$GOTOOLCHAIN",
    "GOEXPERIMENT": "simd",
    "GOMLX_BACKEND": "$3",
    "GOMLX_NO_AUTO_INSTALL": "1",
    "GOFLAGS": "$4",
    "PATH": "$kernel_path"
  },
  "metadata": {"tfm": {"backend": "$3"}}
}
JSON
	if [[ -f "$dir/kernel.json" ]] && cmp -s "$tmp" "$dir/kernel.json"; then
		say "kernel $1 unchanged ($dir)"
		rm -f "$tmp"
	elif [[ $check_only == 1 ]]; then
		missing+=("kernel spec $1 in $dir -- install with: kernels/install.sh")
		rm -f "$tmp"
	else
		mkdir -p "$dir"
		mv "$tmp" "$dir/kernel.json"
		chmod 644 "$dir/kernel.json"
		say "kernel $1 (\"$2\") written to $dir"
	fi
	if [[ $check_only == 0 ]] && ! cmp -s "$here/logo-svg.svg" "$dir/logo-svg.svg" 2>/dev/null; then
		cp "$here/logo-svg.svg" "$dir/logo-svg.svg"
	fi
}
write_spec tfm_go_cpu "TFM Go (CPU)" go "-tags=noxla"
write_spec tfm_go_xla_cpu "TFM Go (XLA CPU)" xla:cpu "-tags=xla"
write_spec tfm_go_xla_cuda "TFM Go (XLA CUDA)" xla:cuda "-tags=xla"

if ((${#missing[@]})); then
	say "NOT READY. Missing:"
	for m in "${missing[@]}"; do echo "  - $m" >&2; done
	exit 1
fi
say "ready: kernels tfm_go_cpu, tfm_go_xla_cpu, tfm_go_xla_cuda in $data_dir/kernels"
