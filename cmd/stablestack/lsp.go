package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stablestack/stablestack/server"
)

func init() {
	register("lsp", command{
		summary: "run the language server on stdin/stdout",
		run:     runLSP,
	})
}

// runLSP serves one LSP session on stdin/stdout. stdout carries only the
// protocol: the log goes to stderr or --log-file.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("stdio", true, "talk LSP over stdin/stdout (the only transport; accepted for vscode-languageclient)")
	fs.Int("clientProcessId", 0, "the editor's process id (accepted for vscode-languageclient; unused)")
	logFile := fs.String("log-file", "", "write the log to this file instead of stderr")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the session to this file (for performance work)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: stablestack lsp [--stdio] [--log-file path] [--log-level level]\n\n"+
			"Runs the StableStack language server over stdin/stdout. Warnings are also\n"+
			"shown in the editor (window/logMessage).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitClean
		}
		return exitError
	}
	level, err := zapcore.ParseLevel(*logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "stablestack lsp: %v\n", err)
		return exitError
	}
	var sink zapcore.WriteSyncer = zapcore.Lock(zapcore.AddSync(stderr))
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "stablestack lsp: %v\n", err)
			return exitError
		}
		defer f.Close()
		sink = zapcore.Lock(f)
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	logger := zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(encCfg), sink, level))
	defer logger.Sync()

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "stablestack lsp: %v\n", err)
			return exitError
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "stablestack lsp: %v\n", err)
			return exitError
		}
		defer pprof.StopCPUProfile()
	}
	tuneMemory()
	s := server.New(server.Options{Logger: logger, Version: currentVersion()})
	return s.Serve(context.Background(), stdio{stdin, stdout})
}

// tuneMemory keeps the heap small: the server holds one text per open
// document plus small facts per workspace file, and most of its garbage is
// short-lived (decoded messages, encoded diagnostics). Collecting earlier
// than the default keeps the peak resident size low (tree-sitter trees live
// in C memory, outside the Go heap and this limit), but not before the heap
// reaches 16 MiB (server.HeapFloor: a small heap collected every megabyte
// slows opening a file). GOGC / GOMEMLIMIT set by the user win.
func tuneMemory() {
	if os.Getenv("GOGC") == "" {
		server.StartHeapFloor(16<<20, 50)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(40 << 20)
	}
}

// stdio joins stdin and stdout into the connection the server reads and
// writes. Close closes stdin's side when it can, to stop the reader.
type stdio struct {
	in  io.Reader
	out io.Writer
}

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }
func (s stdio) Close() error {
	if c, ok := s.in.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
