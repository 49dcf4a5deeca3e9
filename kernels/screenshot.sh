#!/usr/bin/env bash
# Opens an executed notebook in Jupyter Notebook (served on localhost) and screenshots it with headless
# Chromium, to check that its figures really show in the browser.
#
#   kernels/screenshot.sh out/notebooks/00_setup.ipynb out/00_setup.png [WIDTHxHEIGHT]
#   SCREENSHOT_UNTRUSTED=1 kernels/screenshot.sh …   # leave it unsigned (figures then show as PNG)
#
# Needs: jupyter-notebook, chromium (Debian: apt-get install chromium), curl.
set -euo pipefail
nb="${1:?usage: screenshot.sh EXECUTED.ipynb OUT.png [WIDTHxHEIGHT]}"
out="${2:?usage: screenshot.sh EXECUTED.ipynb OUT.png [WIDTHxHEIGHT]}"
size="${3:-1280x4000}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$browser" ]] || { echo "screenshot.sh: MISSING chromium (Debian: apt-get install -y chromium)" >&2; exit 1; }
command -v jupyter >/dev/null || { echo "screenshot.sh: MISSING jupyter (Debian: apt-get install -y jupyter-notebook)" >&2; exit 1; }

work="$(mktemp -d)"
profile="$(mktemp -d)"
server_pid=""
cleanup() {
	[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$work" "$profile"
}
trap cleanup EXIT

name="$(basename "$nb")"
cp "$nb" "$work/$name"
# Sign the notebook (like a learner's own run) so Jupyter shows its SVG; with --untrusted it is left
# unsigned and Jupyter falls back to the PNG each figure also carries.
if [[ "${SCREENSHOT_UNTRUSTED:-0}" != 1 ]]; then
	py="$(head -1 "$(command -v jupyter)" | sed -n 's/^#! *//p')"
	${py:-python3} -c 'from nbformat.sign import TrustNotebookApp; TrustNotebookApp.launch_instance()' "$work/$name" >/dev/null
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
jupyter notebook --no-browser --allow-root --ip=127.0.0.1 --port="$port" --notebook-dir="$work" \
	--NotebookApp.token= --NotebookApp.password= >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
	curl -fs "http://127.0.0.1:$port/api" >/dev/null 2>&1 && break
	sleep 0.5
done
curl -fs "http://127.0.0.1:$port/api" >/dev/null || { cat "$work/server.log" >&2; echo "screenshot.sh: jupyter notebook did not start" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
	--no-first-run --disable-sync --hide-scrollbars --user-data-dir="$profile" \
	--window-size="${size/x/,}" --virtual-time-budget=20000 \
	--screenshot="$(realpath -m "$out")" "http://127.0.0.1:$port/notebooks/$name" >"$work/chromium.log" 2>&1 || {
	cat "$work/chromium.log" >&2
	exit 1
}
[[ -s "$out" ]] || { echo "screenshot.sh: no screenshot written" >&2; exit 1; }
echo "screenshot.sh: wrote $out"
