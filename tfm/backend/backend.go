// Package backend chooses the GoMLX compute backend for the course without
// ever downloading anything: SimpleGo ("go", pure Go, works everywhere) by
// default, XLA ("xla:cpu" / "xla:cuda") only when the binary was built with
// the `xla` build tag AND a PJRT plugin is already installed.
//
// The choice follows $GOMLX_BACKEND when set (a backend that cannot start is
// a clear error, never a silent fallback), else the best installed backend.
// New reports the choice in one line the first time a configuration starts
// in a process (or a notebook session); later calls start silently.
package backend

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // SimpleGo: the default, never downloads.
)

// EnvVar is the environment variable naming the backend ("go", "xla:cpu", "xla:cuda").
const EnvVar = compute.ConfigEnvVar // "GOMLX_BACKEND"

// Choice is a backend configuration and why it was picked.
type Choice struct {
	Config string // e.g. "go", "xla:cpu", "xla:cuda"
	Reason string // one human sentence
}

// String is the one line New prints (once per configuration and process), e.g.
// `tfm backend: go (SimpleGo, pure Go): default; XLA not compiled in (…)`.
func (c Choice) String() string {
	return fmt.Sprintf("tfm backend: %s (%s): %s", c.Config, Describe(c.Config), c.Reason)
}

// Describe names a backend configuration in words.
func Describe(config string) string {
	name, plugin, _ := strings.Cut(config, ":")
	switch name {
	case "go":
		return "SimpleGo, pure Go"
	case "xla":
		if plugin == "" {
			plugin = "cpu"
		}
		return "XLA via PJRT plugin " + plugin
	}
	return "unknown backend"
}

// Compiled lists the backends compiled into this binary (always "go"; "xla" with -tags xla).
func Compiled() []string {
	l := compute.List()
	slices.Sort(l)
	return l
}

// XLACompiledIn reports whether this binary was built with the `xla` tag.
func XLACompiledIn() bool { return slices.Contains(compute.List(), "xla") }

// Choose decides the backend configuration without starting it.
// With $GOMLX_BACKEND set it checks that the named backend is compiled in
// (and for XLA that its plugin is installed) and returns an error otherwise.
func Choose() (Choice, error) {
	if cfg, ok := os.LookupEnv(EnvVar); ok && strings.TrimSpace(cfg) != "" {
		cfg = strings.TrimSpace(cfg)
		if err := check(cfg); err != nil {
			return Choice{}, err
		}
		return Choice{Config: cfg, Reason: "requested by $" + EnvVar}, nil
	}
	if !XLACompiledIn() {
		return Choice{Config: "go", Reason: "default; XLA not compiled in (build with -tags xla to allow it)"}, nil
	}
	for _, p := range []string{"cuda", "cpu"} {
		if path, ok := FindPJRTPlugin(p); ok {
			if p == "cuda" && !hasNvidiaDevice() {
				continue
			}
			return Choice{Config: "xla:" + p, Reason: "PJRT plugin found at " + path}, nil
		}
	}
	return Choice{Config: "go", Reason: "default; XLA compiled in but no PJRT plugin installed in " + strings.Join(PluginDirs(), ", ")}, nil
}

// check validates an explicitly requested configuration.
func check(cfg string) error {
	name, plugin, _ := strings.Cut(cfg, ":")
	if !slices.Contains(compute.List(), name) {
		hint := ""
		if name == "xla" {
			hint = "; rebuild with `-tags xla` (kernel \"TFM Go (XLA CPU)\" sets GOFLAGS=-tags=xla) and install the PJRT plugin (see docker/README.md)"
		}
		return fmt.Errorf("backend %q requested by $%s is not compiled into this binary (compiled in: %s)%s",
			cfg, EnvVar, strings.Join(Compiled(), ", "), hint)
	}
	if name == "xla" {
		if plugin == "" {
			plugin = "cpu"
		}
		if strings.Contains(plugin, "/") { // explicit path to a plugin .so
			if _, err := os.Stat(plugin); err != nil {
				return fmt.Errorf("backend %q: PJRT plugin file: %w", cfg, err)
			}
			return nil
		}
		if _, ok := FindPJRTPlugin(plugin); !ok {
			return fmt.Errorf("backend %q: PJRT plugin %s not installed (looked for %s in %s); install it with go-xla's pjrt_installer (docker/README.md) or use %s=go",
				cfg, plugin, pluginFile(plugin), strings.Join(PluginDirs(), ", "), EnvVar)
		}
	}
	return nil
}

// Logger receives New's one-line report; set to io.Discard to silence it.
var Logger io.Writer = os.Stderr

// announced records the configurations New has reported in this process.
var announced struct {
	sync.Mutex
	configs map[string]bool // "go", "xla:cpu", …
}

// New chooses (see Choose), starts a backend of that configuration and, the
// first time the configuration starts in this process (or notebook session,
// see firstInSession), prints the choice in one line to Logger: a chapter
// that trains seven models shows the line once.
//
// Each call starts its own backend. Sharing one SimpleGo backend across
// trainings slows each later one (measured on the reference train step:
// 4.2, 4.0, 3.8 steps/s for three trainings in a row), so a long-lived
// program that wants one backend calls New once and passes it around.
func New() (compute.Backend, error) {
	c, err := Choose()
	if err != nil {
		return nil, err
	}
	key := c.Config
	if key == "xla" {
		key = "xla:cpu" // what start runs
	}
	b, err := start(c.Config)
	if err != nil {
		return nil, fmt.Errorf("backend %q (%s) failed to start: %w", c.Config, c.Reason, err)
	}
	announced.Lock()
	defer announced.Unlock()
	if !announced.configs[key] {
		if announced.configs == nil {
			announced.configs = map[string]bool{}
		}
		announced.configs[key] = true
		if firstInSession(key) {
			fmt.Fprintln(Logger, c.String())
		}
	}
	return b, nil
}

// firstInSession reports whether this is the first start of backend key in
// the notebook's kernel session: GoNB runs every cell as a new process but
// keeps $GONB_TMP_DIR for the session, so a marker there makes the line
// appear once per notebook instead of once per cell. Outside GoNB every
// process is a session of its own.
func firstInSession(key string) bool {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return true
	}
	marker := filepath.Join(dir, "tfm-backend-"+strings.ReplaceAll(key, ":", "_")+".announced")
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return !os.IsExist(err) // unwritable folder: print rather than stay silent
	}
	f.Close()
	return true
}

// MustNew is New that panics on error (for notebooks and examples).
func MustNew() compute.Backend {
	b, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// GoTuned is what the plain "go" configuration starts: SimpleGo with its
// graph's operations run one after another (each op still uses the worker
// pool inside). On 2 cores the scheduler's parallel mode loses more to
// hand-offs than it gains: the reference train step ran at 6.1 steps/s
// instead of 4.9, encoding at 2,470 sequences/s instead of 2,100
// (tfm/pretrain's BenchmarkTrainStepReference, 2026-12-02). Any other
// "go:…" configuration (e.g. go:ops_parallel) is passed on as written.
const GoTuned = "go:ops_sequential"

// start calls the registered constructor, turning its panics into errors.
func start(cfg string) (b compute.Backend, err error) {
	switch cfg {
	case "xla":
		cfg = "xla:cpu"
	case "go":
		cfg = GoTuned
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return compute.NewWithConfig(cfg)
}

// PluginDirs are the folders searched for PJRT plugins, in go-xla's order: $PJRT_PLUGIN_LIBRARY_PATH,
// ~/.local/lib/go-xla (and its nvidia/), ~/.local/lib/gomlx/pjrt, the same under /usr/local/lib,
// then $LD_LIBRARY_PATH entries.
func PluginDirs() []string {
	var dirs []string
	add := func(list string) {
		for _, d := range filepath.SplitList(list) {
			if d != "" && !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	add(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"))
	if home, err := os.UserHomeDir(); err == nil { // go-xla's per-user folders
		lib := filepath.Join(home, ".local", "lib")
		add(filepath.Join(lib, "go-xla"))
		add(filepath.Join(lib, "go-xla", "nvidia"))
		add(filepath.Join(lib, "gomlx", "pjrt"))
	}
	add("/usr/local/lib/go-xla")
	add("/usr/local/lib/go-xla/nvidia")
	add("/usr/local/lib/gomlx/pjrt")
	add(os.Getenv("LD_LIBRARY_PATH"))
	return dirs
}

func pluginFile(plugin string) string { return "pjrt_c_api_" + plugin + "_plugin.so" }

// FindPJRTPlugin looks for an installed PJRT plugin ("cpu", "cuda") and returns its path.
func FindPJRTPlugin(plugin string) (string, bool) {
	for _, d := range PluginDirs() {
		p := filepath.Join(d, pluginFile(plugin))
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
	}
	return "", false
}

func hasNvidiaDevice() bool {
	_, err := os.Stat("/dev/nvidia0")
	return err == nil
}
