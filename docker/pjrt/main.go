// Command pjrt installs the XLA PJRT plugins the course's XLA kernels use, with
// go-xla's installer library at the version pinned in this folder's go.mod
// (go-xla v0.4.13 pins the CPU plugin to v0.114.0). Used by docker/Dockerfile:
//
//	go run . -path /usr/local/lib/go-xla -cpu -cuda
//
// It needs internet access (GitHub for CPU, pypi.org for CUDA); the course's
// tests and notebooks never run it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/go-xla/installer"
)

func main() {
	path := flag.String("path", "/usr/local/lib/go-xla", "install folder (go-xla searches ~/.local/lib/go-xla and /usr/local/lib/go-xla)")
	cpu := flag.Bool("cpu", true, "install the CPU plugin")
	cuda := flag.Bool("cuda", false, "install the CUDA 13 plugin and NVIDIA libraries (under PATH/nvidia)")
	cudaVersion := flag.String("cuda-version", "latest", "Jax version of the CUDA plugin")
	flag.Parse()
	if err := os.MkdirAll(*path, 0o755); err != nil {
		fail(err)
	}
	if *cpu {
		if err := installer.CPUAutoInstall(*path, false, installer.Normal); err != nil {
			fail(fmt.Errorf("CPU plugin: %w", err))
		}
	}
	if *cuda {
		if err := installer.CudaInstall("cuda13", *cudaVersion, *path, false, installer.Normal); err != nil {
			fail(fmt.Errorf("CUDA plugin: %w", err))
		}
	}
	matches, _ := filepath.Glob(filepath.Join(*path, "*", "pjrt_c_api_*_plugin.so"))
	top, _ := filepath.Glob(filepath.Join(*path, "pjrt_c_api_*_plugin.so"))
	fmt.Println("PJRT plugins installed:", append(top, matches...))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pjrt:", err)
	os.Exit(1)
}
