package explore

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/backend"
	"github.com/tfm-course/course/tfm/traj"
	"github.com/tfm-course/course/tfm/viz"
)

// session is the explorer without its widgets: it runs settings one after
// another, keeps every point and sends the status line, the figure and the
// table of runs to show (a GoNB display each in a notebook, recorded in
// tests).
type session struct {
	ds     *traj.Dataset
	cfg    Config
	points []Point
	// show replaces what the display named kind ("status", "figure",
	// "table") holds with the HTML.
	show func(kind, html string)
	// queued is how many settings wait behind the running one.
	queued func() int
}

func newSession(ds *traj.Dataset, cfg Config, show func(kind, html string)) *session {
	return &session{ds: ds, cfg: cfg, show: show, queued: func() int { return 0 }}
}

// status shows one line; data-runs lets a driver (kernels/drive) wait for
// a run to finish.
func (s *session) status(isErr bool, format string, args ...any) {
	colour := "#333"
	if isErr {
		colour = "#b00020"
	}
	s.show("status", fmt.Sprintf(`<div class="tfm-explore-status" data-runs="%d" style="font-family:sans-serif;color:%s;margin:4px 0">%s</div>`,
		len(s.points), colour, html.EscapeString(fmt.Sprintf(format, args...))))
}

func (s *session) queue() string {
	if n := s.queued(); n > 0 {
		return fmt.Sprintf(" · %d queued", n)
	}
	return ""
}

// redraw shows the figure and the table of the points so far.
func (s *session) redraw() error {
	img, err := viz.HTML(Figure(s.points, s.cfg))
	if err != nil {
		return err
	}
	s.show("figure", img)
	s.show("table", Table(s.points, s.cfg))
	return nil
}

// run trains and scores one setting, adds its point and redraws; a failure
// (bad setting, cancelled, a panic deep in training) shows in the status
// line and leaves the earlier points as they were.
func (s *session) run(ctx context.Context, set Setting) (p Point, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("explore: run %s panicked: %v", set.Label(), r)
		}
		if err != nil {
			s.status(true, "%s: %v", set.Label(), err)
		}
	}()
	// A backend per run: one SimpleGo backend shared across trainings slows
	// each later one (tfm/backend.New).
	be, err := backend.New()
	if err != nil {
		return Point{}, err
	}
	every := max(1, s.cfg.Steps/10)
	last := time.Time{}
	progress := func(phase string, step, steps int) {
		if phase == "training" && step%every != 0 && step != steps && time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		if phase == "training" {
			s.status(false, "training %s… step %d/%d%s", set.Label(), step, steps, s.queue())
		} else {
			s.status(false, "evaluating %s: %s and %s…%s", set.Label(), s.cfg.Local, s.cfg.Global, s.queue())
		}
	}
	if p, err = Run(ctx, be, s.ds, s.cfg, set, progress); err != nil {
		return Point{}, err
	}
	s.points = append(s.points, p)
	if err := s.redraw(); err != nil {
		return p, err
	}
	s.status(false, "run %d done in %.1f s: %s%s", len(s.points), p.Seconds, Summary(p, s.cfg), s.queue())
	return p, nil
}

// Summary is one run's result in words: "fixed λ=0.5: recovery error
// 40.5 m, mean rank 4.26, w_gen share 0.50".
func Summary(p Point, cfg Config) string {
	return fmt.Sprintf("%s: %s %s, %s %s, w_gen share %.2f", p.Label,
		short(cfg.Local), format(cfg.Local, p.Local), short(cfg.Global), format(cfg.Global, p.Global), p.GenShare)
}

func short(task string) string {
	return map[string]string{"recover": "recovery error", "classify": "mode accuracy", "similarity": "mean rank"}[task]
}

func format(task string, v float64) string {
	switch task {
	case "recover":
		return fmt.Sprintf("%.1f m", v)
	case "classify":
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// Table is the runs as an HTML table, one row each in run order.
func Table(points []Point, cfg Config) string {
	if len(points) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<table class="tfm-explore-runs" style="font-family:sans-serif;font-size:90%;border-collapse:collapse">`)
	fmt.Fprintf(&b, "<tr><th>run</th><th>setting</th><th>%s</th><th>%s</th><th>w_gen share (last step)</th><th>seconds</th></tr>",
		html.EscapeString(Metrics[cfg.Local].Label), html.EscapeString(Metrics[cfg.Global].Label))
	for i, p := range points {
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%.2f</td><td>%.1f</td></tr>",
			i+1, html.EscapeString(p.Label), format(cfg.Local, p.Local), format(cfg.Global, p.Global), p.GenShare, p.Seconds)
	}
	b.WriteString("</table>")
	return b.String()
}
