package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3"; otherwise
// the module version or VCS revision recorded by the Go toolchain is shown.
var version = ""

func init() {
	register("version", command{
		summary: "print the version",
		run: func(args []string, _ io.Reader, stdout, _ io.Writer) int {
			fmt.Fprintf(stdout, "stablestack %s\n", currentVersion())
			return exitClean
		},
	})
}

func currentVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "(devel " + s.Value[:12] + ")"
		}
	}
	return "(devel)"
}
