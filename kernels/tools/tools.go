//go:build tools

// Package tools pins the notebook tool chain (GoNB kernel, goimports, gopls).
// kernels/install.sh installs these exact versions with `go install` from
// inside this module, so the versions come from this go.mod.
package tools

import (
	_ "github.com/janpfeifer/gonb"
	_ "golang.org/x/tools/cmd/goimports"
	_ "golang.org/x/tools/gopls"
)
