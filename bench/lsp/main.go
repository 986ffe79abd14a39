// Command lsp-bench measures what a user feels while typing: the time from
// sending textDocument/didChange to receiving the publishDiagnostics that
// reflects it, over a real stdio pipe to the built stablestack binary.
//
// It opens a file with N routes (nine in ten protected by a limit), then
// repeatedly adds or removes the limit on one route and waits for the
// diagnostics of that exact version. It also reports didOpen -> first
// diagnostics next to a bare tree-sitter parse of the same text (once in
// the edit run, then the median over -opens fresh servers), and the
// server's peak RSS (VmHWM).
//
//	go build -o bin/stablestack ./cmd/stablestack
//	go run ./bench/lsp -bin bin/stablestack -lang python -n 1000
//	go run ./bench/lsp -bin bin/stablestack -lang python -n 5000
//	go run ./bench/lsp -bin bin/stablestack -lang javascript -n 1000
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stablestack/stablestack/analysis/syntax"
)

func main() {
	bin := flag.String("bin", "bin/stablestack", "the stablestack binary")
	lang := flag.String("lang", "python", "python or javascript")
	n := flag.Int("n", 1000, "number of routes in the file")
	edits := flag.Int("edits", 400, "number of measured edits")
	warmup := flag.Int("warmup", 20, "unmeasured edits first")
	opens := flag.Int("opens", 7, "fresh servers started to time didOpen (median reported)")
	flag.Parse()

	if err := run(*bin, *lang, *n, *edits, *warmup, *opens); err != nil {
		fmt.Fprintln(os.Stderr, "lsp-bench:", err)
		os.Exit(1)
	}
}

func run(bin, lang string, n, edits, warmup, opens int) error {
	w, err := workload(lang, n)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "lsp-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, w.fileName)
	if err := os.WriteFile(path, []byte(w.text), 0o644); err != nil {
		return err
	}

	parse := bareParse(w.lang, []byte(w.text))

	c, err := startServer(bin, dir, os.Stderr)
	if err != nil {
		return err
	}
	defer c.close()
	uri := "file://" + path

	t0 := time.Now()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": w.languageID, "version": 1, "text": w.text,
	}})
	first, at, err := c.waitDiagnostics(uri, 1, 60*time.Second)
	if err != nil {
		return err
	}
	openLatency := at.Sub(t0)
	if first != w.unprotected {
		return fmt.Errorf("didOpen: %d diagnostics, want %d (one per unprotected route)", first, w.unprotected)
	}

	// Toggle the limit on route 1 (protected at start): remove it, add it back.
	text := w.text
	var lat []time.Duration
	var reopen time.Duration
	version := 1
	for i := 0; i < warmup+edits; i++ {
		version++
		var change map[string]any
		want := w.unprotected
		if i%2 == 0 {
			at := strings.Index(text, w.guard)
			end := at + len(w.guard) - w.guardTrim
			line, col := lineCol(text, at)
			endLine, endCol := lineCol(text, end) // past a newline: (line+1, 0)
			change = rangeChange(line, col, endLine, endCol, "")
			text = text[:at] + text[end:]
			want++
		} else {
			at := strings.Index(text, w.anchor) + w.anchorOffset
			line, col := lineCol(text, at)
			ins := w.guard[:len(w.guard)-w.guardTrim]
			change = rangeChange(line, col, line, col, ins)
			text = text[:at] + ins + text[at:]
		}
		start := time.Now()
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{change},
		})
		got, at, err := c.waitDiagnostics(uri, version, 10*time.Second)
		if err != nil {
			return fmt.Errorf("edit %d: %w", i, err)
		}
		if got != want {
			return fmt.Errorf("edit %d (version %d): %d diagnostics, want %d", i, version, got, want)
		}
		if i >= warmup {
			lat = append(lat, at.Sub(start))
		}
	}
	rss := peakRSS(c.pid()) // of the edit run, as the issue defines it
	// Close the file and open it again: the second didOpen of a session
	// runs in a warm process (the first one also pays for the process's
	// first allocations and threads), as every later file a user opens.
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	version++
	t1 := time.Now()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": w.languageID, "version": version, "text": w.text,
	}})
	if _, at, err := c.waitDiagnostics(uri, version, 60*time.Second); err != nil {
		return err
	} else {
		reopen = at.Sub(t1)
	}
	if _, err := c.call("shutdown", nil); err != nil {
		return err
	}
	c.notify("exit", nil)

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	lines := strings.Count(w.text, "\n")
	fmt.Printf("lang=%s routes=%d lines=%d bytes=%d edits=%d\n", lang, n, lines, len(w.text), len(lat))
	fmt.Printf("  edit->diagnostics  p50=%.2fms  p90=%.2fms  p99=%.2fms  max=%.2fms\n",
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(lat[len(lat)-1]))
	fmt.Printf("  didOpen->diagnostics %.1fms   bare tree-sitter parse %.1fms   ratio %.2f   budget (1.2x parse + 5ms) %.1fms\n",
		ms(openLatency), ms(parse), float64(openLatency)/float64(parse), 1.2*ms(parse)+5)
	fmt.Printf("  didOpen again (warm process) %.1fms   ratio %.2f\n", ms(reopen), float64(reopen)/float64(parse))
	if opens > 0 {
		if err := timeOpens(bin, dir, uri, w, opens); err != nil {
			return err
		}
	}
	fmt.Printf("  server peak RSS %.1f MiB\n", float64(rss)/1024)
	return nil
}

// startServer starts the binary's LSP server, its log going to stderr (nil
// discards it), and initializes it with dir as the workspace folder.
func startServer(bin, dir string, stderr io.Writer) (*client, error) {
	cmd := exec.Command(bin, "lsp")
	cmd.Stderr = stderr
	c, err := start(cmd)
	if err != nil {
		return nil, err
	}
	rootURI := "file://" + dir
	if _, err := c.call("initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": rootURI,
		"capabilities": map[string]any{
			"textDocument": map[string]any{"publishDiagnostics": map[string]any{"versionSupport": true}},
		},
		"workspaceFolders": []any{map[string]any{"uri": rootURI, "name": "bench"}},
	}); err != nil {
		c.close()
		return nil, err
	}
	c.notify("initialized", map[string]any{})
	return c, nil
}

// timeOpens starts k fresh servers and times each one's didOpen -> first
// diagnostics, each next to a bare parse measured just before it (so both
// see the same load). One didOpen is one sample of a noisy machine; the
// median of several is the number to report.
func timeOpens(bin, dir, uri string, w workloadSpec, k int) error {
	var opens, parses []time.Duration
	var ratios []float64 // each open over the parse timed just before it
	within := 0
	for i := 0; i < k; i++ {
		parse := bareParse(w.lang, []byte(w.text))
		c, err := startServer(bin, dir, nil)
		if err != nil {
			return err
		}
		t0 := time.Now()
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
			"uri": uri, "languageId": w.languageID, "version": 1, "text": w.text,
		}})
		_, at, err := c.waitDiagnostics(uri, 1, 60*time.Second)
		if err != nil {
			c.close()
			return err
		}
		c.call("shutdown", nil)
		c.notify("exit", nil)
		c.close()
		open := at.Sub(t0)
		if ms(open) <= 1.2*ms(parse)+5 {
			within++
		}
		opens, parses = append(opens, open), append(parses, parse)
		ratios = append(ratios, float64(open)/float64(parse))
	}
	slices.Sort(ratios)
	med := func(ds []time.Duration) time.Duration {
		ds = append([]time.Duration(nil), ds...)
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	fmt.Printf("  didOpen in %d fresh servers: median %.1fms (min %.1f, max %.1f)   bare parse median %.1fms   budget %.1fms   within budget %d/%d   median ratio to its parse %.2f\n",
		k, ms(med(opens)), ms(slices.Min(opens)), ms(slices.Max(opens)), ms(med(parses)), 1.2*ms(med(parses))+5, within, k, ratios[len(ratios)/2])
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// bareParse is the reference cost: the median of a few fresh parses.
func bareParse(l syntax.Language, text []byte) time.Duration {
	var ds []time.Duration
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		t, err := syntax.Parse(l, text)
		if err != nil {
			panic(err)
		}
		ds = append(ds, time.Since(t0))
		t.Close()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

// peakRSS reads the server's high-water resident set size in KiB.
func peakRSS(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kb)
			return kb
		}
	}
	return 0
}

func lineCol(text string, off int) (int, int) {
	line := strings.Count(text[:off], "\n")
	col := off - (strings.LastIndex(text[:off], "\n") + 1)
	return line, col // ASCII workload: bytes == UTF-16 units
}

func rangeChange(l1, c1, l2, c2 int, text string) map[string]any {
	return map[string]any{
		"range": map[string]any{
			"start": map[string]any{"line": l1, "character": c1},
			"end":   map[string]any{"line": l2, "character": c2},
		},
		"text": text,
	}
}
