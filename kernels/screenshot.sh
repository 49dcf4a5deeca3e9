#!/usr/bin/env bash
# Opens an executed notebook in Jupyter Notebook (served on localhost) and screenshots it with headless
# Chromium, to check that its figures really show in the browser.
#
#   kernels/screenshot.sh out/notebooks/00_setup.ipynb out/00_setup.png [WIDTH | WIDTHxHEIGHT]
#   SCREENSHOT_UNTRUSTED=1 kernels/screenshot.sh …   # leave it unsigned (figures then show as PNG)
#
# By default it captures the whole notebook: it measures the page's height (a first Chromium pass) and
# takes one screenshot that tall (width 1280). A page taller than SCREENSHOT_MAX_HEIGHT (default 16000 px,
# about what Chromium renders in one image) is cut into parts: OUT.png, then OUT-2.png, OUT-3.png, …
# each SCREENSHOT_MAX_HEIGHT px tall; the script prints every file it writes and the page's height.
# With WIDTHxHEIGHT it takes one screenshot of that size and says where the page was cut.
#
# Needs: jupyter-notebook, chromium (Debian: apt-get install chromium), curl.
set -euo pipefail
usage="usage: screenshot.sh EXECUTED.ipynb OUT.png [WIDTH | WIDTHxHEIGHT]"
nb="${1:?$usage}"
out="${2:?$usage}"
size="${3:-1280}"
max_height="${SCREENSHOT_MAX_HEIGHT:-16000}"
width="${size%%x*}"
fixed_height=""
[[ "$size" == *x* ]] && fixed_height="${size#*x}"
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
# Jupyter Notebook scrolls the notebook inside #site; custom.css lets the page grow to the notebook's
# height instead, and custom.js reports that height (for the first pass) and shifts the page up by the
# URL's #tfm-scroll=Y for the parts of a tall page.
export JUPYTER_CONFIG_DIR="$work/config"
mkdir -p "$JUPYTER_CONFIG_DIR/custom"
cat >"$JUPYTER_CONFIG_DIR/custom/custom.css" <<'CSS'
html, body, body.notebook_app { height: auto !important; overflow: visible !important; position: static !important; }
#site { height: auto !important; overflow: visible !important; display: block !important; }
#ipython-main-app, #notebook { height: auto !important; overflow: visible !important; }
CSS
cat >"$JUPYTER_CONFIG_DIR/custom/custom.js" <<'JS'
setInterval(function () {
  var h = Math.ceil(document.documentElement.scrollHeight);
  var el = document.getElementById("tfm-height");
  if (!el) { el = document.createElement("div"); el.id = "tfm-height"; el.style.display = "none"; document.body.appendChild(el); }
  el.textContent = "tfm-height=" + h + ";";
  var m = /tfm-scroll=(\d+)/.exec(location.hash);
  if (m) { document.body.style.setProperty("margin-top", (-parseInt(m[1], 10)) + "px", "important"); }
}, 200);
JS
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
url="http://127.0.0.1:$port/notebooks/$name"
chrome() { # chrome WIDTH HEIGHT ARGS…
	local w="$1" h="$2"
	shift 2
	"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
		--no-first-run --disable-sync --hide-scrollbars --user-data-dir="$profile" \
		--window-size="$w,$h" --virtual-time-budget=20000 "$@" 2>>"$work/chromium.log"
}
if [[ -z "$fixed_height" ]]; then
	height="$(chrome "$width" 2000 --dump-dom "$url" | sed -n 's/.*tfm-height=\([0-9]*\);.*/\1/p' | head -1)"
	[[ -n "$height" ]] || { cat "$work/chromium.log" >&2; echo "screenshot.sh: could not measure the page's height" >&2; exit 1; }
else
	height="$fixed_height"
fi
shots=()
if [[ -n "$fixed_height" || "$height" -le "$max_height" ]]; then
	chrome "$width" "$height" --screenshot="$(realpath -m "$out")" "$url" >/dev/null || { cat "$work/chromium.log" >&2; exit 1; }
	shots=("$out")
else
	part=1
	for ((y = 0; y < height; y += max_height)); do
		f="$out"
		((part > 1)) && f="${out%.png}-$part.png"
		h=$((height - y < max_height ? height - y : max_height))
		# A shorter last part would scroll less than asked: keep the window full height, scroll to the end.
		((h < max_height)) && h=$max_height && y=$((height - max_height))
		chrome "$width" "$h" --screenshot="$(realpath -m "$f")" "$url#tfm-scroll=$y" >/dev/null || { cat "$work/chromium.log" >&2; exit 1; }
		shots+=("$f")
		part=$((part + 1))
	done
fi
for f in "${shots[@]}"; do
	[[ -s "$f" ]] || { echo "screenshot.sh: no screenshot written to $f" >&2; exit 1; }
done
if [[ -n "$fixed_height" ]]; then
	echo "screenshot.sh: wrote $out (${width}x${height}: the page is cut at ${height} px; omit the size to capture the whole page)"
elif ((${#shots[@]} == 1)); then
	echo "screenshot.sh: wrote $out (${width}x${height}: the whole page)"
else
	echo "screenshot.sh: the page is ${height} px tall; wrote ${#shots[@]} parts of up to ${max_height} px: ${shots[*]}"
fi
