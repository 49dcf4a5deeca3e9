package download

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func payload(n int) ([]byte, string) {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	s := sha256.Sum256(b)
	return b, hex.EncodeToString(s[:])
}

// server serves data with Range support; the first `cut` requests are
// broken off after half of what they promise.
func server(t *testing.T, data []byte, cut int32) (*httptest.Server, *atomic.Int32, *atomic.Int32) {
	var calls, ranged atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Header.Get("Range") != "" {
			ranged.Add(1)
		}
		if n <= cut {
			w.Header().Set("Content-Length", "1000000")
			w.WriteHeader(http.StatusOK)
			w.Write(data[:len(data)/2])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			// returning now leaves the response short: the client sees an unexpected EOF
			hj, _ := w.(http.Hijacker)
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		http.ServeContent(w, r, "data.bin", time.Unix(0, 0), bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls, &ranged
}

func TestFetchResumesAfterInterruption(t *testing.T) {
	data, sum := payload(1000000)
	srv, calls, ranged := server(t, data, 1)
	dir := t.TempDir()
	f := File{Name: "data.bin", URL: srv.URL + "/data.bin", Size: int64(len(data)), SHA256: sum}
	var progress bytes.Buffer
	_, _, err := Fetch(context.Background(), f, dir, Options{Progress: &progress})
	if err == nil || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("first attempt: err = %v, want an interruption", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "data.bin.part"))
	if err != nil || fi.Size() != int64(len(data)/2) {
		t.Fatalf("part file after interruption: %v %v", fi, err)
	}
	path, got, err := Fetch(context.Background(), f, dir, Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if got != sum || calls.Load() != 2 || ranged.Load() != 1 {
		t.Errorf("sum %s calls %d ranged %d", got, calls.Load(), ranged.Load())
	}
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b, data) {
		t.Error("resumed file differs")
	}
	if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
		t.Error(".part left behind")
	}
	if !strings.Contains(progress.String(), "resuming at 0.5 MiB") {
		t.Errorf("progress: %q", progress.String())
	}
	// A third call finds the complete file and does not download.
	if _, _, err := Fetch(context.Background(), f, dir, Options{}); err != nil || calls.Load() != 2 {
		t.Errorf("re-fetch: %v, calls %d", err, calls.Load())
	}
}

func TestFetchBadChecksum(t *testing.T) {
	data, _ := payload(5000)
	srv, _, _ := server(t, data, 0)
	dir := t.TempDir()
	f := File{Name: "x.bin", URL: srv.URL + "/x", SHA256: strings.Repeat("0", 64)}
	_, _, err := Fetch(context.Background(), f, dir, Options{})
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want checksum mismatch", err)
	}
	for _, p := range []string{"x.bin", "x.bin.part"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s kept after a bad checksum", p)
		}
	}
	f.SHA256, f.Size = "", 4999
	if _, _, err := Fetch(context.Background(), f, dir, Options{}); !errors.Is(err, ErrChecksum) {
		t.Errorf("wrong size: %v", err)
	}
}

func TestFetchServerIgnoringRange(t *testing.T) {
	data, sum := payload(3000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(data) }))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "d.part"), []byte("stale bytes"), 0o644)
	_, got, err := Fetch(context.Background(), File{Name: "d", URL: srv.URL, SHA256: sum}, dir, Options{})
	if err != nil || got != sum {
		t.Fatalf("%v %s", err, got)
	}
}

func TestOfflineAndManual(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	_, _, err := Fetch(context.Background(), File{Name: "g.zip", URL: "http://" + addr + "/g.zip"}, t.TempDir(), Options{})
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("err = %v, want offline", err)
	}
	src, _ := Lookup("geolife")
	m := Manual(src, "/data")
	for _, want := range []string{"https://download.microsoft.com/download/F/4/8/F4894AA5-FDBC-481E-9285-D5F8C4C4F039/Geolife%20Trajectories%201.3.zip", "do not redistribute", "tfm data stats --format geolife"} {
		if !strings.Contains(m, want) {
			t.Errorf("manual text lacks %q:\n%s", want, m)
		}
	}
	td, _ := Lookup("tdrive")
	if _, err := Get(context.Background(), td, t.TempDir(), Options{}); !errors.Is(err, ErrNoURL) {
		t.Errorf("tdrive: %v", err)
	}
	if _, ok := Lookup("porto"); !ok {
		t.Error("porto missing")
	}
}

func TestGetExtractsNestedZip(t *testing.T) {
	inner := zipBytes(t, map[string]string{"train.csv": "TRIP_ID,TIMESTAMP,POLYLINE\n"})
	outer := zipBytes(t, map[string]string{"train.csv.zip": string(inner), "README.txt": "hi"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "p.zip", time.Unix(0, 0), bytes.NewReader(outer))
	}))
	defer srv.Close()
	dir := t.TempDir()
	src := Source{Name: "p", Files: []File{{Name: "p.zip", URL: srv.URL, Unzip: true}}}
	if _, err := Get(context.Background(), src, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "train.csv")); err != nil || string(b) != "TRIP_ID,TIMESTAMP,POLYLINE\n" {
		t.Errorf("train.csv: %q %v", b, err)
	}
	evil := filepath.Join(dir, "evil.zip")
	os.WriteFile(evil, zipBytes(t, map[string]string{"../escape.txt": "x"}), 0o644)
	if err := Unzip(evil, filepath.Join(dir, "sub"), false); err == nil || !strings.Contains(err.Error(), "escapes") {
		t.Errorf("zip slip: %v", err)
	}
}

func zipBytes(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}
