package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// portoFile writes n Porto rows of 12 points each and returns the path.
func portoFile(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`"TRIP_ID","CALL_TYPE","ORIGIN_CALL","ORIGIN_STAND","TAXI_ID","TIMESTAMP","DAY_TYPE","MISSING_DATA","POLYLINE"` + "\n")
	for i := range n {
		fmt.Fprintf(&b, `"%d","C","","","%d","%d","A","False","[`, 1372636858620000589+i, 20000000+i%7, 1372636858+i*60)
		for j := range 12 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%.6f,%.6f]", -8.61+0.0003*float64(i%17)+0.0004*float64(j), 41.14+0.0002*float64(i%11)+0.0003*float64(j*(i%3+1)))
		}
		b.WriteString("]\"\n")
	}
	path := filepath.Join(t.TempDir(), "train.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// --stream pre-trains from a Porto file through the shuffle buffer, resumes
// (replaying the stream), and refuses data it cannot stream.
func TestPretrainStream(t *testing.T) {
	path := portoFile(t, 120)
	ckpt := filepath.Join(t.TempDir(), "ck")
	args := []string{"--data", "porto:" + path, "--stream", "--shuffle-buffer", "16", "--batch", "8",
		"--set", "layers=1;dim=16;heads=2;ffn=32", "--checkpoint", ckpt, "--diagnose", "0", "--quiet", "--json"}
	out, err := capture(t, "pretrain", append(args, "--steps", "3")...)
	if err != nil {
		t.Fatal(err)
	}
	if got := lastJSON(t, out)["steps"]; got != float64(3) {
		t.Fatalf("steps = %v, want 3", got)
	}
	out, err = capture(t, "pretrain", append(args, "--steps", "5", "--extend")...)
	if err != nil {
		t.Fatal(err)
	}
	if js := lastJSON(t, out); js["start_step"] != float64(3) || js["steps"] != float64(5) {
		t.Fatalf("resumed run: start_step %v, steps %v; want 3, 5", js["start_step"], js["steps"])
	}
	if _, err := capture(t, "pretrain", "--data", "synthetic", "--stream", "--steps", "1"); err == nil || !strings.Contains(err.Error(), "porto:PATH") {
		t.Fatalf("--stream on synthetic data: err %v, want a refusal naming porto:PATH", err)
	}
	if _, err := capture(t, "pretrain", "--data", "porto:"+path, "--stream", "--group-balance", "mode", "--steps", "1", "--quiet"); err == nil || !strings.Contains(err.Error(), "--group-balance") {
		t.Fatalf("--stream with --group-balance: err %v, want a refusal naming the flag", err)
	}
}
