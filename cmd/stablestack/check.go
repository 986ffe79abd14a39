package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"

	"github.com/stablestack/stablestack/check"
)

func init() {
	register("check", command{
		summary: "check files and directories (default: .) for rate-limiting problems",
		run:     runCheck,
	})
}

// listFlag collects a repeatable, comma-separable flag such as --select.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runCheck(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		opts   check.Options
		format = fs.String("format", "text", "")
		color  = fs.String("color", "auto", "")
		noProg = fs.Bool("no-progress", false, "")
		sel    listFlag
		ign    listFlag
	)
	fs.Var(&sel, "select", "")
	fs.Var(&ign, "ignore", "")
	fs.BoolVar(&opts.ForceExclude, "force-exclude", false, "")
	fs.BoolVar(&opts.Fix, "fix", false, "")
	fs.BoolVar(&opts.Diff, "diff", false, "")
	fs.BoolVar(&opts.ExitZero, "exit-zero", false, "")
	// Hidden: for the pre-filter equivalence test, benchmarks and profiling.
	fs.BoolVar(&opts.NoPrefilter, "no-prefilter", false, "")
	fs.IntVar(&opts.Workers, "workers", 0, "")
	fs.BoolVar(&opts.Timing, "timing", false, "")
	cpuProfile := fs.String("cpuprofile", "", "")
	memProfile := fs.String("memprofile", "", "")
	help := fs.Bool("h", false, "")
	fs.BoolVar(help, "help", false, "")

	paths, err := parseInterspersed(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "stablestack check: %v\n\n", err)
		checkUsage(stderr)
		return exitError
	}
	if *help {
		checkUsage(stdout)
		return exitClean
	}
	if opts.Format, err = check.ParseFormat(*format); err != nil {
		fmt.Fprintf(stderr, "stablestack check: %v\n", err)
		return exitError
	}
	switch m := check.ColorMode(*color); m {
	case check.ColorAuto, check.ColorAlways, check.ColorNever:
		opts.Color = m
	default:
		fmt.Fprintf(stderr, "stablestack check: unknown --color %q (want auto, always or never)\n", *color)
		return exitError
	}
	opts.Paths = paths
	opts.Select, opts.Ignore = sel, ign
	opts.Progress = !*noProg
	opts.Version = currentVersion()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "stablestack check: %v\n", err)
			return exitError
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	code := check.Run(ctx, opts, stdout, stderr)
	if *memProfile != "" {
		if f, err := os.Create(*memProfile); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	return code
}

// parseInterspersed parses flags that may come after paths
// ("stablestack check . --fix"), as users of other linters expect; the
// standard flag package stops at the first path. After "--" everything is a path.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(paths, rest...), nil
		}
		if len(rest) == 0 {
			break
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
	return paths, nil
}

func checkUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: stablestack check [flags] [paths...]
       stablestack [paths...]

Checks Python and JavaScript/TypeScript files for API routes without rate
limiting (RATE001) and in-memory rate limiters (RATE002). Directories are
walked, skipping .git, node_modules, virtualenvs, build output, .gitignore'd
paths and configured excludes; files named explicitly are always checked
(unless --force-exclude). Inside a git repository the rest of the
repository is read too, for cross-file facts, but only the paths given are
reported.

Flags:
  --format FORMAT     text (default), json, sarif or github
  --select RULES      run only these rules (IDs or names, comma-separated)
  --ignore RULES      do not run these rules
  --force-exclude     apply configured excludes to files named explicitly too
  --fix               apply the safe fixes and report what changed
  --diff              print the safe fixes as a unified diff; write nothing
  --exit-zero         exit 0 even when problems are found
  --color WHEN        auto (default), always or never
  --no-progress       no progress line on stderr (shown only on a terminal)

Exit codes: 0 nothing found, 1 problems found (with --diff: changes pending),
2 usage or configuration error, or a file named explicitly could not be checked.
`)
}
