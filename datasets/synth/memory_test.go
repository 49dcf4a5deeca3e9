package synth

import (
	"strings"
	"testing"
)

func TestCheckMemory(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Trajectories = 10_000_000
	err := CheckMemory(cfg, 3e9)
	if err == nil || !strings.Contains(err.Error(), "10000000 trajectories need about 163.9 GB") || !strings.Contains(err.Error(), "limit of 3.0 GB") {
		t.Fatalf("err = %v", err)
	}
	cfg.Trajectories = 2000
	if err := CheckMemory(cfg, 3e9); err != nil {
		t.Fatal(err)
	}
	if MemoryLimit() <= 0 {
		t.Fatal("no memory limit")
	}
}
