// Command drive checks the balancing explorer (tfm/notebook/explore) in real
// Jupyter: it writes a small notebook holding an explorer cell into a
// temporary folder, starts Jupyter Notebook on it, opens it in headless
// Chromium (chromedp), runs the cells, sets the λ slider and the balancer
// select, presses "run" once per setting, waits for each run's point and
// saves a screenshot of the page with every point on the figure.
//
//	cd kernels/drive && go run . -repo ../.. -out /tmp/explorer.png
//	go run . -settings fixed@0.2,uncertainty@0.5 -kernel tfm_go_cpu -timeout 20m
//
// kernels/explorer-screenshot.sh OUT.png wraps it. A module of its own, so
// the course's go.mod does not depend on chromedp.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"
)

// setting is one press of "run": a balancer name and λ.
type setting struct {
	balancer string
	lambda   float64
}

func parseSettings(s string) ([]setting, error) {
	var out []setting
	for _, f := range strings.Split(s, ",") {
		name, l, ok := strings.Cut(strings.TrimSpace(f), "@")
		st := setting{balancer: name, lambda: 0.5}
		if ok {
			v, err := strconv.ParseFloat(l, 64)
			if err != nil || v < 0 || v > 1 {
				return nil, fmt.Errorf("-settings %q: λ %q is not a number in [0, 1]", f, l)
			}
			st.lambda = v
		}
		if name == "" {
			return nil, fmt.Errorf("-settings %q: want BALANCER[@LAMBDA]", f)
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		return nil, errors.New("-settings: no setting")
	}
	return out, nil
}

func main() {
	repo := flag.String("repo", "../..", "the course's repository (its go.mod is used through a go.work)")
	out := flag.String("out", "explorer.png", "the screenshot (PNG)")
	kernel := flag.String("kernel", "tfm_go_cpu", "the Jupyter kernel")
	settingsFlag := flag.String("settings", "fixed@0.2,uncertainty@0.5", "the runs, in order: BALANCER[@LAMBDA],…")
	trips := flag.Int("trips", 500, "trajectories of the synthetic city the explorer trains on")
	timeout := flag.Duration("timeout", 20*time.Minute, "the whole drive (the cell's first build can take minutes)")
	width := flag.Int("width", 1280, "the browser window's width in pixels")
	keep := flag.Bool("keep", false, "keep the temporary folder (notebook, server and browser logs)")
	flag.Parse()
	settings, err := parseSettings(*settingsFlag)
	if err == nil {
		err = drive(*repo, *out, *kernel, settings, *trips, *timeout, *width, *keep)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drive:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "drive: "+format+"\n", args...)
}

func drive(repo, out, kernel string, settings []setting, trips int, timeout time.Duration, width int, keep bool) (err error) {
	root, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "tfm", "notebook", "explore")); err != nil {
		return fmt.Errorf("-repo %s: not the course's repository (no tfm/notebook/explore)", repo)
	}
	browser, err := findBrowser()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "tfm-explorer-")
	if err != nil {
		return err
	}
	defer func() {
		switch {
		case keep:
			logf("kept %s", work)
		case err != nil:
			logf("kept %s for a look (explorer.ipynb, server.log: GoNB's log)", work)
		default:
			os.RemoveAll(work)
		}
	}()
	if err := writeNotebook(filepath.Join(work, "explorer.ipynb"), root, kernel, trips); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	url, stop, err := startJupyter(ctx, work)
	if err != nil {
		return err
	}
	defer stop()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(width, 1000),
		chromedp.UserDataDir(filepath.Join(work, "chromium")), chromedp.Flag("hide-scrollbars", true))...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil { // starts the browser: no timeout on this first call
		return fmt.Errorf("opening %s: %w", url, err)
	}
	go func() { <-ctx.Done(); cancelTab() }() // the overall timeout stops the browser too

	logf("notebook open; waiting for the kernel")
	if _, err := wait(tab, 2*time.Minute, `typeof Jupyter !== "undefined" && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && "ok"`); err != nil {
		return fmt.Errorf("the kernel %s did not connect: %w", kernel, err)
	}
	defer func() { // what the page showed, for a failure's message
		if err != nil {
			if text, e := chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector("#notebook-container") || document.body).innerText.slice(-3000)`)); e == nil {
				err = fmt.Errorf("%w\n--- the page's text (end):\n%s", err, text)
			}
		}
	}()
	if err := eval(tab, `Jupyter.notebook.execute_all_cells(); true`); err != nil {
		return err
	}
	logf("cells running; waiting for the explorer's widgets (the cell's first build can take minutes)")
	if _, err := wait(tab, timeout*3/4, `(() => { // the rest of the time is the runs'
  const err = document.querySelector(".output_error");
  if (err) return "error: " + err.innerText.slice(0, 2000);
  const st = document.querySelector(".tfm-explore-status");
  if (st && st.textContent.startsWith("no browser")) return "error: the explorer found no browser: " + st.textContent;
  return document.querySelector('button[id^="tfm-explore-run-"]') && st && st.textContent.startsWith("ready") && "ok";
})()`); err != nil {
		return err
	}
	for i, s := range settings {
		logf("run %d: %s, λ = %.2f", i+1, s.balancer, s.lambda)
		if err := eval(tab, fmt.Sprintf(`(() => {
  const sel = document.querySelector('select[id^="tfm-explore-balancer-"]');
  const opt = [...sel.options].find(o => o.text === %q);
  if (!opt) throw new Error("no balancer " + %q + " in the select: " + [...sel.options].map(o => o.text));
  sel.value = opt.value; sel.dispatchEvent(new Event("change"));
  const sl = document.querySelector('input[type=range][id^="tfm-explore-lambda-"]');
  sl.value = Math.round(%g * sl.max); sl.dispatchEvent(new Event("input")); sl.dispatchEvent(new Event("change"));
  return true;
})()`, s.balancer, s.balancer, s.lambda)); err != nil {
			return fmt.Errorf("setting run %d: %w", i+1, err)
		}
		// The values travel to the cell's program through GoNB's comms:
		// let them land before the click.
		if err := chromedp.Do(tab, chromedp.Sleep(time.Second)); err != nil {
			return err
		}
		if err := eval(tab, `document.querySelector('button[id^="tfm-explore-run-"]').click(); true`); err != nil {
			return err
		}
		status, err := wait(tab, 5*time.Minute, fmt.Sprintf(`(() => {
  const st = document.querySelector(".tfm-explore-status");
  if (!st) return "";
  if (st.style.color === "rgb(176, 0, 32)") return "error: " + st.textContent;
  return st.dataset.runs === "%d" && st.textContent.startsWith("run %d done") && st.textContent;
})()`, i+1, i+1))
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		logf("%s", status)
	}
	// Let the last figure's <img> decode, then capture the whole page (the
	// notebook scrolls inside #site: let it grow to its content first).
	if err := eval(tab, `(() => {
  for (const sel of ["html", "body", "#site", "#ipython-main-app", "#notebook"]) {
    const el = document.querySelector(sel);
    if (el) { el.style.setProperty("height", "auto", "important"); el.style.setProperty("overflow", "visible", "important"); }
  }
  document.getElementById("site").style.setProperty("display", "block", "important");
  return true;
})()`); err != nil {
		return err
	}
	if err := chromedp.Do(tab, chromedp.Sleep(time.Second)); err != nil {
		return err
	}
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		return err
	}
	logf("wrote %s (%d bytes)", out, len(png))
	// Press "stop" so the cell ends as a learner's would.
	if err := eval(tab, `document.querySelector('button[id^="tfm-explore-stop-"]').click(); true`); err != nil {
		return err
	}
	if _, err := wait(tab, time.Minute, `(() => { const st = document.querySelector(".tfm-explore-status"); return st && st.textContent.startsWith("closed") && "ok"; })()`); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	logf("explorer stopped")
	return nil
}

// eval runs a script that must return true.
func eval(tab context.Context, js string) error {
	ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](js))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("script returned false: %.200s", js)
	}
	return nil
}

// wait polls a script until it returns a string: one starting "error:"
// fails, any other ends the wait.
func wait(tab context.Context, d time.Duration, js string) (string, error) {
	ctx, cancel := context.WithTimeout(tab, d)
	defer cancel()
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if s, ok := v.(string); ok && s != "" && err == nil {
			if strings.HasPrefix(s, "error:") {
				return "", errors.New(s)
			}
			return s, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("timed out after %s waiting for: %.300s", d, js)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func findBrowser() (string, error) {
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(b); err == nil {
			return p, nil
		}
	}
	return "", errors.New("MISSING chromium (Debian: apt-get install -y chromium)")
}

// writeNotebook writes the notebook the drive runs: the chapters' go.work
// cell (pointing at root) and an explorer cell.
func writeNotebook(path, root, kernel string, trips int) error {
	cell := func(kind string, src ...string) map[string]any {
		c := map[string]any{"cell_type": kind, "metadata": map[string]any{}, "source": strings.Join(src, "\n")}
		if kind == "code" {
			c["outputs"], c["execution_count"] = []any{}, nil
		}
		return c
	}
	nb := map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": kernel, "display_name": kernel, "language": "go"}},
		"cells": []any{
			cell("markdown", "# The balancing explorer in Jupyter",
				"Written and driven by `kernels/drive` (headless Chromium): it sets the slider and the select and presses **run** once per setting."),
			cell("code", fmt.Sprintf(`!*rm -f go.work && go work init && go work use . %q && go mod edit -require=github.com/tfm-course/course@v0.0.0`, root), "%goworkfix"),
			cell("code", `import (
	"github.com/tfm-course/course/datasets"
	"github.com/tfm-course/course/tfm/notebook/explore"
)

%%`, fmt.Sprintf(`data, err := datasets.Load("synthetic:seed=1,trajectories=%d")
if err != nil {
	panic(err)
}
explore.Balancing(data.Dataset)`, trips)),
		},
	}
	b, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// startJupyter serves dir with Jupyter Notebook on a free local port and
// returns the notebook's URL and a function that stops the server.
func startJupyter(ctx context.Context, dir string) (string, func(), error) {
	if _, err := exec.LookPath("jupyter"); err != nil {
		return "", nil, errors.New("MISSING jupyter (Debian: apt-get install -y jupyter-notebook)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	token := fmt.Sprintf("tfm%d", time.Now().UnixNano())
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("jupyter", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1",
		"--port="+strconv.Itoa(port), "--notebook-dir="+dir, "--NotebookApp.token="+token, "--NotebookApp.password=")
	cmd.Stdout, cmd.Stderr, cmd.Dir = logFile, logFile, dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the server and its kernels stop together
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		logFile.Close()
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(60 * time.Second); ; {
		if resp, err := http.Get(base + "/api?token=" + token); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return "", nil, fmt.Errorf("jupyter notebook did not start on port %d:\n%s", port, log)
		}
		time.Sleep(500 * time.Millisecond)
	}
	logf("jupyter notebook on %s (log: %s)", base, filepath.Join(dir, "server.log"))
	return base + "/notebooks/explorer.ipynb?token=" + token, stop, nil
}
