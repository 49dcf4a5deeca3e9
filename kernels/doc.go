// Package kernels holds the course's Jupyter kernels and their installer.
//
// install.sh installs the pinned notebook tool chain (GoNB, goimports, gopls;
// versions in tools/go.mod) and registers three GoNB kernel specs:
//
//	tfm_go_cpu       "TFM Go (CPU)"       GOMLX_BACKEND=go        (SimpleGo, pure Go; the default)
//	tfm_go_xla_cpu   "TFM Go (XLA CPU)"   GOMLX_BACKEND=xla:cpu   GOFLAGS=-tags=xla
//	tfm_go_xla_cuda  "TFM Go (XLA CUDA)"  GOMLX_BACKEND=xla:cuda  GOFLAGS=-tags=xla
//
// Each sets GOTOOLCHAIN=go1.27.3, GOEXPERIMENT=simd, GOMLX_NO_AUTO_INSTALL=1
// and a PATH with the Go bin folders. screenshot.sh opens an executed notebook
// in Jupyter Notebook and screenshots it with headless Chromium.
// The tests run the installer against a temporary JUPYTER_DATA_DIR.
package kernels
