package notebook

import "os"

// QuickEnv is the environment variable `tfm notebooks run --quick` sets to "1".
const QuickEnv = "TFM_QUICK"

// Quick reports whether notebooks should shrink data and steps (CI, smoke runs).
func Quick() bool {
	v := os.Getenv(QuickEnv)
	return v != "" && v != "0" && v != "false"
}

// Size returns quick in quick mode, else full: `steps := notebook.Size(2000, 50)`.
func Size[T any](full, quick T) T {
	if Quick() {
		return quick
	}
	return full
}
