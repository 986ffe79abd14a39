package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/stablestack/stablestack/codeactions/scaffold"
)

// add-rate-limiter writes the rate-limiter module (and its client dependency)
// into a project; the quick fixes import from it.
func init() {
	register("add-rate-limiter", command{
		summary: "write the Redis rate-limiter module into a project",
		run:     runAddRateLimiter,
	})
}

func runAddRateLimiter(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("add-rate-limiter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", "python or node (default: detected from the project files)")
	dir := fs.String("dir", ".", "project directory to write the module into")
	force := fs.Bool("force", false, "overwrite a module you edited")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: stablestack add-rate-limiter [--lang python|node] [--dir DIR] [--force]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitClean
		}
		return exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "add-rate-limiter: unexpected arguments %q\n", fs.Args())
		return exitError
	}
	if *lang == "" {
		detected, err := scaffold.DetectLang(*dir)
		if err != nil {
			fmt.Fprintln(stderr, "add-rate-limiter:", err)
			return exitError
		}
		*lang = detected
	}
	res, err := scaffold.Write(*dir, *lang, *force)
	if err != nil {
		fmt.Fprintln(stderr, "add-rate-limiter:", err)
		return exitError
	}
	report := func(verb string, files []string) {
		if len(files) > 0 {
			fmt.Fprintf(stdout, "%s %s\n", verb, strings.Join(files, ", "))
		}
	}
	report("created", res.Created)
	report("updated", res.Updated)
	report("unchanged", res.Unchanged)
	report("added "+res.Dependency+" to", res.DependencyAdded)
	if res.DependencyNote != "" {
		fmt.Fprintf(stdout, "dependency %s: %s\n", res.Dependency, res.DependencyNote)
	}
	if len(res.Created) > 0 {
		fmt.Fprintln(stdout, usageHint[*lang])
	}
	if len(res.Kept) > 0 {
		fmt.Fprintf(stderr, "add-rate-limiter: kept %s: it was edited; rerun with --force to replace it\n", strings.Join(res.Kept, ", "))
		return exitError
	}
	return exitClean
}

// usageHint shows the first use of a freshly written module.
var usageHint = map[string]string{
	"python": "use: from stablestack_rate_limiter import rate_limit; @rate_limit(requests=100, window=60)",
	"node":   "use: const { rateLimit } = require('./stablestack-rate-limiter'); app.use(rateLimit({ requests: 100, window: 60 }))",
}
