package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfm-course/course/datasets/parse"
	"github.com/tfm-course/course/datasets/porto"
)

const header = `"TRIP_ID","CALL_TYPE","ORIGIN_CALL","ORIGIN_STAND","TAXI_ID","TIMESTAMP","DAY_TYPE","MISSING_DATA","POLYLINE"` + "\n"

// writeRows writes n Porto-like rows of pts points each to a file in dir.
func writeRows(t testing.TB, dir string, n, pts int) string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("porto-%d.csv", n))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString(header)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `"%d","C","","","%d","%d","A","False","[`, i, 20000000+i%448, 1372636858+i*60)
		lon, lat := -8.61+rng.Float64()*0.05, 41.14+rng.Float64()*0.05
		for j := 0; j < pts; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			lon += (rng.Float64() - 0.5) * 0.002
			lat += (rng.Float64() - 0.5) * 0.002
			b.WriteString("[" + strconv.FormatFloat(lon, 'f', 6, 64) + "," + strconv.FormatFloat(lat, 'f', 6, 64) + "]")
		}
		b.WriteString("]\"\n")
		if b.Len() > 1<<20 {
			f.Write(b.Bytes())
			b.Reset()
		}
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	return path
}

func order(t *testing.T, path string, opt Options, n int) []string {
	t.Helper()
	r, err := New(Porto(path, nil), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ids []string
	for range n {
		tr, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tr.ID)
	}
	if r.MaxBuffered() > opt.Buffer {
		t.Errorf("buffer held %d trips, bound %d", r.MaxBuffered(), opt.Buffer)
	}
	return ids
}

func TestShuffleDeterministicOncePerEpoch(t *testing.T) {
	const n = 500
	path := writeRows(t, t.TempDir(), n, 5)
	opt := Options{Buffer: 64, Seed: 7}
	a, b := order(t, path, opt, 2*n), order(t, path, opt, 2*n)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatal("same seed, different order")
	}
	for e := range 2 {
		seen := map[string]int{}
		for _, id := range a[e*n : (e+1)*n] {
			seen[id]++
		}
		if len(seen) != n {
			t.Fatalf("epoch %d: %d distinct trips of %d", e, len(seen), n)
		}
	}
	if strings.Join(a[:n], ",") == strings.Join(a[n:], ",") {
		t.Error("epochs 1 and 2 in the same order")
	}
	inOrder := 0
	for i, id := range a[:n] {
		if id == strconv.Itoa(i) {
			inOrder++
		}
	}
	if inOrder > n/4 {
		t.Errorf("%d of %d trips in file order: not shuffled", inOrder, n)
	}
	c := order(t, path, Options{Buffer: 64, Seed: 8}, n)
	if strings.Join(a[:n], ",") == strings.Join(c, ",") {
		t.Error("seeds 7 and 8 give the same order")
	}
	// Resume by replay: skipping k then reading gives the uninterrupted order.
	r, _ := New(Porto(path, nil), opt)
	defer r.Close()
	if err := r.Skip(n + 37); err != nil {
		t.Fatal(err)
	}
	tr, _ := r.Next()
	if tr.ID != a[n+37] || r.Epoch() != 1 {
		t.Errorf("after Skip: %s (epoch %d), want %s", tr.ID, r.Epoch(), a[n+37])
	}
}

func TestEpochsEOF(t *testing.T) {
	path := writeRows(t, t.TempDir(), 10, 3)
	r, _ := New(Porto(path, nil), Options{Buffer: 100, Epochs: 2})
	k, err := drain(r)
	if err != nil {
		t.Fatal(err)
	}
	if k != 20 || r.MaxBuffered() != 10 {
		t.Errorf("2 epochs of 10: got %d trips, buffer %d", k, r.MaxBuffered())
	}
}

func TestBadRowNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.csv")
	rows := header + `"1","C","","","2","1372636858","A","False","[[-8.6,41.1],[-8.6,41.2]]"` + "\n" +
		`"2","C","","","2","1372636858","A","False","[[-8.6,95.5]]"` + "\n"
	os.WriteFile(path, []byte(rows), 0o644)
	r, _ := New(Porto(path, nil), Options{Buffer: 4})
	_, err := r.Next()
	var pe *parse.Error
	if !errors.As(err, &pe) || pe.Line != 3 || !strings.Contains(err.Error(), "bad.csv:3") {
		t.Fatalf("got %v, want a parse error at bad.csv:3", err)
	}
	if _, err := New(Porto(path, nil), Options{}); err == nil {
		t.Error("Buffer 0 accepted")
	}
}

// peak samples HeapInuse every millisecond while f runs and returns the
// peak in MiB, with the process's peak resident set (VmHWM, reset first).
func peak(f func()) (heapMiB, rssMiB float64) {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM (Linux)
	var mu sync.Mutex
	var hi uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			hi = max(hi, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				rssMiB = kb / 1024
			}
		}
	}
	return float64(hi) / (1 << 20), rssMiB
}

// BenchmarkStreamMemory reads a synthetic Porto file of 10,000 and of
// 100,000 trips (24 points each) once through a 1,000-trip shuffle buffer
// and once with porto.Load: the stream's peak heap stays flat, Load's grows
// with the file. Only under -bench (the 10× file is ~45 MB).
func BenchmarkStreamMemory(b *testing.B) {
	dir := b.TempDir()
	for _, n := range []int{10_000, 100_000} {
		path := writeRows(b, dir, n, 24)
		fi, _ := os.Stat(path)
		for _, how := range []string{"stream", "load"} {
			b.Run(fmt.Sprintf("%s/trips=%d", how, n), func(b *testing.B) {
				var h, rss float64
				for b.Loop() {
					h, rss = peak(func() {
						if how == "load" {
							ds, err := porto.Load(path, nil, 0)
							if err != nil || len(ds.Trajectories) != n {
								b.Fatal(err)
							}
							runtime.KeepAlive(ds)
							return
						}
						r, err := New(Porto(path, nil), Options{Buffer: 1000, Seed: 1, Epochs: 1})
						if err != nil {
							b.Fatal(err)
						}
						k, err := drain(r)
						if err != nil {
							b.Fatal(err)
						}
						if k != n {
							b.Fatalf("%d trips of %d", k, n)
						}
					})
				}
				b.ReportMetric(h, "MiB-peak-heap")
				b.ReportMetric(rss, "MiB-peak-rss")
				b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-file")
			})
		}
	}
}

// drain reads r to io.EOF and counts its trips.
func drain(r *Reader) (int, error) {
	k := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return k, nil
		}
		if err != nil {
			return k, err
		}
		k++
	}
}
