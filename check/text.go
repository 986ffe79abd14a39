package check

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/stablestack/stablestack/analysis"
)

// TextOptions tune the human output.
type TextOptions struct {
	Color   bool // ANSI colours (only on a terminal, see useColor)
	Summary bool // related locations and a closing summary (terminals only)
	Took    time.Duration
	Fixed   *FixSummary // set after --fix
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiGreen  = "\x1b[32m"
)

// WriteText renders one line per finding:
//
//	path:line:col: RATE001 POST /login has no rate limiting
//
// Lines and columns count from 1; columns are in Unicode characters (code
// points). Piped output is exactly these lines, so grep and editors'
// error parsers read it; on a terminal, related locations and a summary follow.
func WriteText(w io.Writer, rep *Report, opt TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opt.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, r := range rep.Results {
		loc := r.Location
		idColor := ansiYellow
		if r.Finding.Severity == analysis.SeverityError {
			idColor = ansiRed
		}
		fmt.Fprintf(bw, "%s:%d:%d: %s %s\n", paint(ansiBold, loc.Display), loc.Start.Line+1, loc.Start.Col+1,
			paint(ansiBold+idColor, r.Finding.Rule.ID), r.Finding.Message)
		if opt.Summary {
			for _, rel := range r.Related {
				fmt.Fprintf(bw, "    %s %s:%d:%d: %s\n", paint(ansiDim, "related"), rel.Location.Display,
					rel.Location.Start.Line+1, rel.Location.Start.Col+1, rel.Message)
			}
		}
	}
	if opt.Fixed != nil {
		opt.Fixed.writeText(bw, paint)
	}
	if opt.Summary {
		writeSummary(bw, rep, opt, paint)
	}
	return bw.Flush()
}

func writeSummary(w io.Writer, rep *Report, opt TextOptions, paint func(code, s string) string) {
	if len(rep.Results) > 0 {
		fmt.Fprintln(w)
	}
	files := map[string]bool{}
	byRule := map[string]int{}
	for _, r := range rep.Results {
		files[r.Location.Path] = true
		byRule[r.Finding.Rule.ID]++
	}
	took := ""
	if opt.Took > 0 {
		took = fmt.Sprintf(" in %.2fs", opt.Took.Seconds())
	}
	checked := fmt.Sprintf("checked %d %s%s", rep.Checked, plural(rep.Checked, "file", "files"), took)
	skipped := 0
	for _, p := range rep.Problems {
		if !p.Checked {
			skipped++
		}
	}
	if skipped > 0 {
		checked += fmt.Sprintf(", %d skipped (see above)", skipped)
	}
	if len(rep.Results) == 0 {
		fmt.Fprintf(w, "%s No problems found; %s.\n", paint(ansiGreen+ansiBold, "✓"), checked)
		return
	}
	ids := make([]string, 0, len(byRule))
	for id := range byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%d %s", byRule[id], id)
	}
	fmt.Fprintf(w, "%s %d %s (%s) in %d %s; %s.\n", paint(ansiRed+ansiBold, "✗"),
		len(rep.Results), plural(len(rep.Results), "problem", "problems"), strings.Join(parts, ", "),
		len(files), plural(len(files), "file", "files"), checked)
	for _, id := range ids {
		if r := analysis.RuleByID(id); r != nil {
			fmt.Fprintf(w, "  %s %s: %s\n", paint(ansiCyan, id), r.Title, r.DocsURL())
		}
	}
	// RATE001's fix is always safe; other rules' fixes mostly need review in
	// the editor, so the hint only shows when it can do something.
	if opt.Fixed == nil && byRule[analysis.UnprotectedRoute.ID] > 0 {
		fmt.Fprintf(w, "Run %s to add the Redis-backed limiter, or %s to preview the changes.\n",
			paint(ansiBold, "stablestack check --fix"), paint(ansiBold, "--diff"))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
