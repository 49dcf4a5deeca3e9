# The course's two commands (see README.md):
#   make course   set everything up and open the course in Jupyter
#   make test     run the tests
# Each target sets the Go environment itself, so they work in a fresh shell.

export GOTOOLCHAIN := go1.27.3
export GOEXPERIMENT := simd
# Find go even when the shell's PATH lacks it (the usual /usr/local/go install), and put GoNB's tools on PATH.
GO := $(shell command -v go 2>/dev/null || ls /usr/local/go/bin/go 2>/dev/null)
ifeq ($(GO),)
$(error go not found: install Go (>= 1.24) from https://go.dev/dl/ and put it on PATH)
endif
export PATH := $(dir $(GO)):$(shell $(GO) env GOPATH)/bin:$(PATH)

JUPYTER_ARGS ?=
# Jupyter refuses to start as root (containers, CI machines) without --allow-root.
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)
NOTEBOOK ?= notebooks/00_setup.ipynb

.PHONY: course setup test bench notebooks notebooks-full sync screenshot site ci

## course: install Jupyter (apt, when root), GoNB + tools, the three kernels; then open the course.
course: setup
	@echo "Opening $(NOTEBOOK) in Jupyter Notebook (kernel: TFM Go (CPU)); Ctrl-C to stop."
	jupyter notebook $(ROOT_ARGS) $(JUPYTER_ARGS) $(NOTEBOOK)

# make course builds gopls (GoNB's hover help and completion, ~2 of setup's ~4 minutes) in the background.
course: INSTALL_ARGS = --gopls-background
setup:
	kernels/install.sh $(INSTALL_ARGS)
	go build ./...

## test: every package's tests (including the notebooks, in quick mode, when Jupyter + GoNB are installed).
test:
	go test -timeout 60m ./...

## bench: the performance targets, as go test benchmarks (PKG=./tfm/distance/ for one package).
PKG ?= ./...
bench:
	go test -run '^$$' -bench . $(PKG)

## notebooks: run every chapter headless, quick; executed copies + HTML in out/notebooks.
notebooks:
	go run ./tfm/cmd/tfm notebooks run --quick

notebooks-full:
	go run ./tfm/cmd/tfm notebooks run

sync:
	go run ./tfm/cmd/tfm notebooks sync --check

screenshot:
	go run ./tfm/cmd/tfm notebooks run --quick --out out/notebooks $(NOTEBOOK)
	kernels/screenshot.sh out/notebooks/$(notdir $(NOTEBOOK)) out/$(basename $(notdir $(NOTEBOOK))).png

## site: execute every chapter at full size and write the offline course site to out/site (open out/site/index.html).
SITE_ARGS ?=
site:
	go run ./tfm/cmd/tfm notebooks site --out out/site $(SITE_ARGS)

ci:
	.ci/run
