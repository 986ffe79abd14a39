// Command stablestack finds API routes without rate limiting and in-memory rate
// limiters, in the editor (as a language server) and in CI (as a checker).
//
// This package only parses flags and wires packages together; every subcommand
// lives in its own file and registers itself in commands.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes shared by every subcommand, so CI scripts can tell findings from failures.
const (
	exitClean    = 0 // nothing found / success
	exitFindings = 1 // the check found problems
	exitError    = 2 // usage, configuration or I/O error
)

// command is one subcommand. run receives the arguments after the subcommand name.
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the subcommand files.
var commands = map[string]command{}

func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("duplicate command " + name)
	}
	commands[name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage(stdout)
		return exitClean
	case "--version":
		name = "version"
	case "--stdio":
		// vscode-languageclient may start the server with only --stdio.
		name = "lsp"
	}
	// A command name wins over a file or directory of the same name (this
	// repository has a check/ directory); anything else that names a path is
	// "stablestack <paths...>", short for "stablestack check <paths...>".
	if c, ok := commands[name]; ok {
		return c.run(args[1:], stdin, stdout, stderr)
	}
	if check, ok := commands["check"]; ok && (name == "." || strings.HasPrefix(name, "-") || pathExists(name)) {
		return check.run(args, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "stablestack: unknown command %q\n\n", name)
	usage(stderr)
	return exitError
}

// pathExists uses Lstat so a dangling or looping symlink still counts as a
// path (the checker then reports what is wrong with it).
func pathExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `StableStack finds API routes without rate limiting (RATE001) and in-memory
rate limiters (RATE002), and rewrites them to a Redis-backed sliding window.

Usage:
  stablestack <command> [flags] [arguments]
  stablestack [paths...]        same as "stablestack check [paths...]"

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-18s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Run "stablestack <command> -h" for the flags of a command.
Exit codes: 0 nothing found, 1 findings, 2 usage or runtime error.
`)
}
