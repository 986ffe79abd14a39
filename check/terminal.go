package check

import (
	"io"
	"os"
)

// isTerminal reports whether w is an interactive terminal. A character
// device is one, except /dev/null (also a character device), where CI
// scripts often send stderr.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(info, null) {
		return false
	}
	return true
}

// useColor decides whether text output is coloured: always/never as asked,
// otherwise on a terminal unless NO_COLOR (https://no-color.org) is set or
// the terminal is dumb.
func useColor(mode ColorMode, stdout io.Writer) bool {
	switch mode {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(stdout)
}
