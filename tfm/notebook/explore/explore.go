// Package explore is the balancing explorer of the hybrid chapter: a GoNB
// cell with a slider for λ, a select for the balancer and a "run" button
// that retrains a small hybrid model in seconds and adds its point to a
// trade-off figure (local task across, global task up) that keeps the
// earlier runs, so the Pareto front forms as one explores.
//
// Run (train + score one setting), Figure and Table hold the substance and
// are tested without a notebook; Balancing is the widget plumbing.
package explore

import (
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/tfm-course/course/tfm/pretrain"
	"github.com/tfm-course/course/tfm/traj"
)

// Option configures Balancing.
type Option func(*options)

type options struct {
	cfg      Config
	custom   []pretrain.Balancer
	start    Setting
	headless []Setting
	maxRuns  int
	idle     time.Duration
	probe    time.Duration // how long the browser has to answer the probe
	widgets  time.Duration // … and to answer the widgets
	out      io.Writer
}

// WithConfig sets the model, training and tasks every run shares
// (default DefaultConfig).
func WithConfig(c Config) Option { return func(o *options) { o.cfg = c } }

// Start sets the widgets' initial balancer and λ (default fixed, λ = 0.5).
func Start(s Setting) Option { return func(o *options) { o.start = s } }

// Headless sets the runs made when no browser is attached (nbconvert, the
// notebook runner, a plain go run): default fixed λ ∈ {0, 0.5, 1}, so an
// exported chapter shows a front.
func Headless(s ...Setting) Option { return func(o *options) { o.headless = s } }

// Custom adds balancers of one's own (written in a notebook cell) to the
// select, after pretrain.Balancers, each by its Name().
func Custom(b ...pretrain.Balancer) Option {
	return func(o *options) { o.custom = append(o.custom, b...) }
}

// MaxRuns ends the explorer after n runs (0: until "stop" is pressed, the
// cell is interrupted or IdleTimeout passes).
func MaxRuns(n int) Option { return func(o *options) { o.maxRuns = n } }

// IdleTimeout ends the explorer when no run was asked for this long
// (default 30 minutes), so a forgotten cell does not hold the kernel.
func IdleTimeout(d time.Duration) Option { return func(o *options) { o.idle = d } }

// LambdaSteps is the slider's resolution: λ moves in steps of 1/LambdaSteps.
const LambdaSteps = 20

// Balancing shows the explorer in a GoNB notebook and runs until "stop" is
// pressed, MaxRuns runs are done or IdleTimeout passes (GoNB keeps widgets
// alive only while the cell's program runs, so the cell stays busy
// meanwhile: put it last in a chapter). It returns the runs' points. With
// no browser attached (headless execution, outside a notebook) it makes the
// Headless runs and shows (or prints) their figure. Errors show in the
// status line; it never panics.
func Balancing(ds *traj.Dataset, opts ...Option) []Point {
	o := options{cfg: DefaultConfig(), start: Setting{Balance: "fixed", Lambda: 0.5}, idle: 30 * time.Minute,
		probe: 5 * time.Second, widgets: 30 * time.Second, out: os.Stdout,
		headless: []Setting{{Balance: "fixed", Lambda: 0}, {Balance: "fixed", Lambda: 0.5}, {Balance: "fixed", Lambda: 1}}}
	for _, opt := range opts {
		opt(&o)
	}
	if !gonbui.IsNotebook {
		return headless(ds, o, func(kind, h string) {})
	}
	// Four displays, created in this order and replaced in place after.
	ids := map[string]string{}
	for _, k := range []string{"controls", "status", "figure", "table"} {
		ids[k] = "tfm-explore-" + k + "-" + gonbui.UniqueId()
		gonbui.UpdateHTML(ids[k], "")
	}
	show := func(kind, h string) { gonbui.UpdateHTML(ids[kind], h) }
	if err := o.cfg.Validate(); err != nil {
		show("status", fmt.Sprintf(`<div style="color:#b00020">%s</div>`, html.EscapeString(err.Error())))
		return nil
	}
	show("status", `<div style="font-family:sans-serif;color:#555">balancing explorer: connecting to the browser…</div>`)
	if !frontEnd(o.probe) {
		return headless(ds, o, show)
	}
	return interactive(ds, o, ids, show)
}

// headless makes the Headless runs, one after another, and shows or prints
// the result.
func headless(ds *traj.Dataset, o options, show func(kind, h string)) []Point {
	s := newSession(ds, o.cfg, show)
	s.status(false, "no browser attached (headless run): running %d settings; open the notebook in Jupyter to explore", len(o.headless))
	for _, set := range o.headless {
		p, err := s.run(context.Background(), set)
		if err != nil {
			fmt.Fprintf(o.out, "explore: %v\n", err)
			continue
		}
		fmt.Fprintf(o.out, "explore: %s (%.1f s)\n", Summary(p, o.cfg), p.Seconds)
	}
	if len(s.points) > 0 {
		s.status(false, "headless run: %d runs shown; in Jupyter the widgets add runs to this figure", len(s.points))
	}
	return s.points
}

// frontEnd reports whether a browser answers through GoNB's comms within
// timeout: widgets wait for their browser side forever, so without one (an
// nbconvert run) the explorer must not build them.
func frontEnd(timeout time.Duration) bool {
	addr := "/tfm/explore/probe/" + gonbui.UniqueId()
	ch := comms.Listen[int](addr)
	defer ch.Close()
	// Sent again every 200 ms (gonb_comm may still be connecting), the
	// first delivery answers.
	dom.TransientJavascript(fmt.Sprintf(`(function probe(n) {
  const c = globalThis.gonb_comm;
  if (c) { c.send(%q, 1); }
  if (n > 0) { setTimeout(() => probe(n - 1), 200); }
})(%d);`, addr, int(timeout/(200*time.Millisecond))))
	select {
	case <-ch.C:
		return true
	case <-time.After(timeout):
		return false
	}
}

// interactive builds the widgets and runs what the "run" button asks for
// until "stop", MaxRuns or the idle timeout.
func interactive(ds *traj.Dataset, o options, ids map[string]string, show func(kind, h string)) []Point {
	uid := gonbui.UniqueId()
	box := "tfm-explore-box-" + uid
	value := "tfm-explore-lambda-value-" + uid
	start := o.start
	names := slices.Clone(pretrain.Balancers)
	for _, b := range o.custom {
		names = append(names, b.Name())
	}
	bal := max(slices.Index(names, start.balancer()), 0)
	// setting is the select's choice i with λ from the slider.
	setting := func(i int, lambda float64) Setting {
		i = min(max(i, 0), len(names)-1)
		if i >= len(pretrain.Balancers) {
			return Setting{Balancer: o.custom[i-len(pretrain.Balancers)], Lambda: lambda, Seed: start.Seed}
		}
		return Setting{Balance: names[i], Lambda: lambda, Seed: start.Seed}
	}
	show("controls", fmt.Sprintf(`<div id="%s" style="display:flex;flex-wrap:wrap;gap:0.6em;align-items:center;font-family:sans-serif;margin:6px 0"></div>`, box))
	gonbui.Sync()
	// Each widget's Done waits for its browser side's first message, with no
	// timeout of its own: build them aside and give up after a while.
	type controls struct {
		lambda     *widgets.SliderBuilder
		balancer   *widgets.SelectBuilder
		run, abort *widgets.ButtonBuilder
	}
	built := make(chan controls, 1)
	go func() {
		var w controls
		dom.Append(box, fmt.Sprintf(`<span>λ (generative weight, fixed balancer): <b id="%s">%.2f</b></span>`, value, start.Lambda))
		w.lambda = widgets.Slider(0, LambdaSteps, int(start.Lambda*LambdaSteps+0.5)).WithHtmlId("tfm-explore-lambda-" + uid).AppendTo(box).Done()
		// The readout follows the slider in the browser, while it moves.
		dom.TransientJavascript(fmt.Sprintf(`(() => { const s = document.getElementById(%q), v = document.getElementById(%q);
  if (!s || !v) return;
  s.style.width = "16em";
  s.addEventListener("input", () => { v.textContent = (s.value / %d).toFixed(2); }); })();`, "tfm-explore-lambda-"+uid, value, LambdaSteps))
		dom.Append(box, `<span style="margin-left:1em">balancer:</span>`)
		w.balancer = widgets.Select(names).SetDefault(bal).WithHtmlId("tfm-explore-balancer-" + uid).AppendTo(box).Done()
		w.run = widgets.Button("run").WithHtmlId("tfm-explore-run-" + uid).AppendTo(box).Done()
		w.abort = widgets.Button("stop").WithHtmlId("tfm-explore-stop-" + uid).AppendTo(box).Done()
		built <- w
	}()
	var w controls
	select {
	case w = <-built:
	case <-time.After(o.widgets):
		show("controls", "")
		s := newSession(ds, o.cfg, show)
		s.status(true, "the widgets got no answer from the browser in %s (GoNB comms): run the cell again; meanwhile the headless runs", o.widgets)
		gonbui.Sync()
		time.Sleep(2 * time.Second) // let the message be read before the runs replace it
		return headless(ds, o, show)
	}
	lambda, balancer, runB, stopB := w.lambda, w.balancer, w.run, w.abort

	queue := make(chan Setting, 64)
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	runs, stops := runB.Listen(), stopB.Listen()
	defer runs.Close()
	defer stops.Close()
	// Jupyter's interrupt (GoNB sends SIGINT) closes the explorer like "stop".
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			halt()
		case <-stop:
		}
	}()
	go func() {
		for range runs.C { // the settings as they are when "run" is pressed
			select {
			case queue <- setting(balancer.Value(), float64(lambda.Value())/LambdaSteps):
			default: // 64 runs waiting: drop the click
			}
		}
	}()
	go func() {
		if _, ok := <-stops.C; ok {
			halt()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-stop; cancel() }()

	s := newSession(ds, o.cfg, show)
	s.queued = func() int { return len(queue) }
	if err := s.redraw(); err != nil {
		s.status(true, "figure: %v", err)
	}
	s.status(false, "ready: choose λ and a balancer, press run (each run trains %d steps on %s, a few seconds)", o.cfg.Steps, trips(o.cfg.Trips))
	why := ""
	for why == "" {
		idle := time.NewTimer(o.idle)
		select {
		case set := <-queue:
			idle.Stop()
			_, _ = s.run(ctx, set) // an error is in the status line
			if o.maxRuns > 0 && len(s.points) >= o.maxRuns {
				why = fmt.Sprintf("%d runs done", len(s.points))
			}
			if ctx.Err() != nil {
				why = "stopped"
			}
		case <-stop:
			why = "stopped"
		case <-idle.C:
			why = fmt.Sprintf("idle for %s", o.idle)
		}
	}
	show("controls", fmt.Sprintf(`<div style="font-family:sans-serif;color:#555">explorer closed (%s); run the cell again to explore further</div>`, html.EscapeString(why)))
	s.status(false, "closed after %d runs (%s)", len(s.points), why)
	if len(s.points) > 0 {
		fmt.Fprintf(o.out, "explore: %d runs\n", len(s.points))
		for _, p := range s.points {
			fmt.Fprintf(o.out, "  %s\n", Summary(p, o.cfg))
		}
	}
	gonbui.Sync()
	return s.points
}
