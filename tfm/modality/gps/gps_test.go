package gps

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/tfm-course/course/tfm/modality"
	"github.com/tfm-course/course/tfm/modality/internal/modtest"
	"github.com/tfm-course/course/tfm/traj"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// handTraj goes 100 m east in 10 s, then 200 m north in 10 s, then stays.
func handTraj(proj Projection, t0 time.Time) *traj.Trajectory {
	pts := []orb.Point{{0, 0}, {100, 0}, {100, 200}, {100, 200}}
	tr := &traj.Trajectory{ID: "hand"}
	for i, m := range pts {
		ll := proj.ToLonLat(m)
		tr.Points = append(tr.Points, traj.NewPoint(ll[0], ll[1], t0.Add(time.Duration(i*10)*time.Second)))
	}
	return tr
}

func TestRawHandChecked(t *testing.T) {
	proj := Projection{Origin: orb.Point{116.3, 39.98}}
	t0 := time.Date(2008, 10, 21, 6, 0, 0, 0, time.UTC) // Tuesday, a quarter of the day
	rows, err := Raw(handTraj(proj, t0), proj)
	if err != nil {
		t.Fatal(err)
	}
	want := [][NumFeatures]float64{
		//x  y   dt  dist speed accel hs hc  tod          dow
		{0, 0, 0, 0, 0, 0, 1, 0, 1, 0, math.Sin(2 * math.Pi * 2 / 7), math.Cos(2 * math.Pi * 2 / 7)},
		{100, 0, 10, 100, 10, 0, 1, 0, 0, 0, 0, 0},
		{100, 200, 10, 200, 20, 1, 0, 1, 0, 0, 0, 0},
		{100, 200, 10, 0, 0, -2, 0, 1, 0, 0, 0, 0},
	}
	for i, w := range want {
		for j := 0; j < TimeOfDaySin; j++ {
			if !near(rows[i][j], w[j], 1e-6) {
				t.Errorf("point %d %s = %v, want %v", i, FeatureNames[j], rows[i][j], w[j])
			}
		}
	}
	tod := 2 * math.Pi * (6*3600 + 10) / 86400.0
	if !near(rows[1][TimeOfDaySin], math.Sin(tod), 1e-9) || !near(rows[1][TimeOfDayCos], math.Cos(tod), 1e-9) {
		t.Errorf("time of day of point 1 = %v,%v", rows[1][TimeOfDaySin], rows[1][TimeOfDayCos])
	}
	if !near(rows[0][TimeOfDaySin], 1, 1e-12) || !near(rows[0][DayOfWeekSin], want[0][DayOfWeekSin], 1e-12) {
		t.Errorf("cyclic time of point 0 = %v", rows[0])
	}
}

func TestProjectionRoundTrip(t *testing.T) {
	p := Projection{Origin: orb.Point{-8.61, 41.15}}
	q := orb.Point{-8.55, 41.2}
	back := p.ToLonLat(p.ToLocal(q))
	if !near(back[0], q[0], 1e-12) || !near(back[1], q[1], 1e-12) {
		t.Fatalf("round trip %v -> %v", q, back)
	}
}

func TestFitNormalises(t *testing.T) {
	trajs := modtest.Walk(1, 30)
	f, err := Fit(trajs)
	if err != nil {
		t.Fatal(err)
	}
	var sum, sumSq [NumFeatures]float64
	n := 0
	for _, tr := range trajs {
		feats, _, err := f.Features(tr, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(feats); i += NumFeatures {
			for j := range NumFeatures {
				v := float64(feats[i+j])
				sum[j] += v
				sumSq[j] += v * v
			}
			n++
		}
	}
	if n != f.Stats.NumPoints {
		t.Fatalf("fitted on %d points, featurised %d", f.Stats.NumPoints, n)
	}
	for j := range NumFeatures {
		if !Normalised[j] {
			continue
		}
		mean := sum[j] / float64(n)
		std := math.Sqrt(sumSq[j]/float64(n) - mean*mean)
		if !near(mean, 0, 0.05) || !near(std, 1, 0.05) {
			t.Errorf("%s normalised to mean %.3f std %.3f", FeatureNames[j], mean, std)
		}
	}
}

func TestBatchPaddingAndSampling(t *testing.T) {
	trajs := modtest.Walk(2, 4)
	f, err := Fit(trajs)
	if err != nil {
		t.Fatal(err)
	}
	short := &traj.Trajectory{ID: "short", Points: trajs[0].Points[:3]}
	batch := []*traj.Trajectory{short, trajs[1]}
	const L = 10
	b, err := f.Batch(batch, L)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	if got := b.Lengths(); got[0] != 3 || got[1] != L {
		t.Fatalf("lengths %v, want [3 %d]", got, L)
	}
	for i := 3 * NumFeatures; i < L*NumFeatures; i++ {
		if b.Features[i] != 0 {
			t.Fatalf("padding feature %d = %v", i, b.Features[i])
		}
	}
	if b.DeltaT[0] != 0 || b.DeltaT[1] <= 0 {
		t.Errorf("DeltaT %v", b.DeltaT[:3])
	}
	if b.DayOfWeek[0] != int32(trajs[0].Points[0].Time.Weekday()) {
		t.Errorf("day of week %d", b.DayOfWeek[0])
	}

	// Uniform sampling keeps the first and the last point.
	f.Sampling = modality.Uniform
	_, idx, err := f.Features(trajs[1], L)
	if err != nil {
		t.Fatal(err)
	}
	if idx[0] != 0 || idx[L-1] != len(trajs[1].Points)-1 || len(idx) != L {
		t.Fatalf("uniform indices %v of %d points", idx, len(trajs[1].Points))
	}
	f.Sampling = modality.Truncate
	_, idx, _ = f.Features(trajs[1], L)
	if idx[L-1] != L-1 {
		t.Fatalf("truncated indices %v", idx)
	}
}

func TestSaveLoadIdenticalTensors(t *testing.T) {
	trajs := modtest.Walk(3, 8)
	f, err := Fit(trajs)
	if err != nil {
		t.Fatal(err)
	}
	f.Sampling = modality.Uniform
	path := filepath.Join(t.TempDir(), "gps.json")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b1, err := f.Batch(trajs, 32)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := g.Batch(trajs, 32)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b1.Features {
		if b1.Features[i] != b2.Features[i] {
			t.Fatalf("feature %d differs after save/load: %v vs %v", i, b1.Features[i], b2.Features[i])
		}
	}
}

func TestBadInput(t *testing.T) {
	f, err := Fit(modtest.Walk(4, 3))
	if err != nil {
		t.Fatal(err)
	}
	t0 := modtest.T0
	nan := &traj.Trajectory{ID: "nan", Points: []traj.Point{traj.NewPoint(116.3, 39.9, t0), traj.NewPoint(math.NaN(), 39.9, t0.Add(time.Second))}}
	back := &traj.Trajectory{ID: "back", Points: []traj.Point{traj.NewPoint(116.3, 39.9, t0), traj.NewPoint(116.3, 39.9, t0.Add(-time.Second))}}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"empty", func() error { _, err := f.Batch([]*traj.Trajectory{{ID: "e"}}, 8); return err }, `trajectory "e" has no points`},
		{"nan", func() error { _, err := f.Batch([]*traj.Trajectory{nan}, 8); return err }, `"nan" point 1: longitude NaN`},
		{"unsorted", func() error { _, err := f.Batch([]*traj.Trajectory{back}, 8); return err }, `"back" point 1: time`},
		{"maxLen", func() error { _, err := f.Batch(modtest.Walk(1, 1), 0); return err }, "maxLen 0"},
		{"fit empty", func() error { _, err := Fit(nil); return err }, "no trajectories"},
		{"fit nan", func() error { _, err := Fit([]*traj.Trajectory{nan}); return err }, "longitude NaN"},
		{"bad file", func() error {
			_, err := Read(strings.NewReader(`{"kind":"gps-featurizer","stats":{"features":["x"]}}`), "s.json")
			return err
		}, "s.json"},
		{"missing file", func() error { _, err := Load("/nonexistent/gps.json"); return err }, "/nonexistent/gps.json"},
		{"sampling", func() error {
			g := *f
			g.Sampling = "middle"
			_, err := g.Batch(modtest.Walk(1, 1), 5)
			return err
		}, `unknown sampling "middle"`},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestGeolife(t *testing.T) {
	trajs := modtest.Geolife(t, 20)
	f, err := Fit(trajs)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := Read(&buf, "buffer")
	if err != nil {
		t.Fatal(err)
	}
	b1, err := f.Batch(trajs, 256)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := g.Batch(trajs, 256)
	for i, v := range b1.Features {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || v != b2.Features[i] {
			t.Fatalf("feature %d = %v (reloaded %v)", i, v, b2.Features[i])
		}
	}
	// Beijing: the origin must be near 116.3E 40N.
	if !near(f.Stats.Origin[0], 116.3, 1) || !near(f.Stats.Origin[1], 40, 1) {
		t.Errorf("origin %v", f.Stats.Origin)
	}
	t.Logf("GeoLife: %d trajectories, %d points, speed mean %.2f m/s std %.2f",
		len(trajs), f.Stats.NumPoints, f.Stats.Mean[Speed], f.Stats.Std[Speed])
}

func BenchmarkBatch(b *testing.B) {
	trajs := modtest.Walk(5, 64)
	f, err := Fit(trajs)
	if err != nil {
		b.Fatal(err)
	}
	points := 0
	for _, t := range trajs {
		points += min(len(t.Points), 128)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.Batch(trajs, 128); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(points*b.N)/b.Elapsed().Seconds(), "points/s")
}

func TestSynthCity(t *testing.T) {
	city := modtest.City(t, 60)
	ds := city.Dataset()
	train, test := ds.Trajectories[:40], ds.Trajectories[40:]
	f, err := Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Batch(test, 64)
	if err != nil {
		t.Fatal(err)
	}
	// Mean speed per mode, denormalised, must order walk < bike < car.
	sum, n := map[string]float64{}, map[string]float64{}
	for r, tr := range test {
		for i := 0; i < b.Len; i++ {
			if b.Mask[r*b.Len+i] && i > 0 {
				sum[tr.Mode] += f.Denormalise(Speed, float64(b.Features[(r*b.Len+i)*NumFeatures+Speed]))
				n[tr.Mode]++
			}
		}
	}
	for m := range sum {
		sum[m] /= n[m]
	}
	t.Logf("synthetic city: mean speed by mode %v (origin %v)", sum, f.Stats.Origin)
	if n["walk"] > 0 && n["car"] > 0 && !(sum["walk"] < sum["car"]) {
		t.Errorf("walking (%.1f m/s) not slower than driving (%.1f m/s)", sum["walk"], sum["car"])
	}
	if !city.Bound().Contains(f.Stats.Origin) {
		t.Errorf("origin %v outside the city %v", f.Stats.Origin, city.Bound())
	}
}
