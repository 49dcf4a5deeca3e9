//go:build xla

package backend

// Built with `-tags xla`: register the XLA backend WITHOUT its auto-installer,
// so a missing PJRT plugin is an error, never a download.
import _ "github.com/gomlx/go-xla/compute/xla"
