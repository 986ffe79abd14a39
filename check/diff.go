package check

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/codeactions"
)

// diffContext is the number of unchanged lines shown around a change, as in
// `diff -u`.
const diffContext = 3

// chunk is one changed run of lines: old[OldStart:OldStart+len(Old)] became New.
type chunk struct {
	OldStart int // 0-based line in the old text
	Old, New []string
}

// writeUnifiedDiff prints the change made by edits to old as a unified diff.
// The hunks come from the edits themselves (each edit widened to whole
// lines, neighbours merged, common lines trimmed), not from a general diff
// algorithm: that is exact, linear in the file's size, and shows an inserted
// decorator as a pure insertion.
func writeUnifiedDiff(w io.Writer, oldName, newName string, old []byte, edits []codeactions.Edit) error {
	chunks, err := editChunks(old, edits)
	if err != nil {
		return err
	}
	if len(chunks) == 0 {
		return nil
	}
	oldLines := splitLines(string(old))
	fmt.Fprintf(w, "--- %s\n+++ %s\n", oldName, newName)
	delta := 0 // new line number minus old line number before the hunk
	for i := 0; i < len(chunks); {
		// A hunk takes every chunk whose context touches the previous one's.
		j := i + 1
		for j < len(chunks) && chunks[j].OldStart-(chunks[j-1].OldStart+len(chunks[j-1].Old)) <= 2*diffContext {
			j++
		}
		first := max(chunks[i].OldStart-diffContext, 0)
		last := min(chunks[j-1].OldStart+len(chunks[j-1].Old)+diffContext, len(oldLines)) // exclusive
		var body []string
		oldCount, newCount := 0, 0
		at := first
		hunkDelta := delta
		for _, c := range chunks[i:j] {
			for ; at < c.OldStart; at++ {
				body = append(body, " "+oldLines[at])
				oldCount++
				newCount++
			}
			for _, l := range c.Old {
				body = append(body, "-"+l)
			}
			for _, l := range c.New {
				body = append(body, "+"+l)
			}
			oldCount += len(c.Old)
			newCount += len(c.New)
			at += len(c.Old)
			delta += len(c.New) - len(c.Old)
		}
		for ; at < last; at++ {
			body = append(body, " "+oldLines[at])
			oldCount++
			newCount++
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(first, oldCount), hunkRange(first+hunkDelta, newCount))
		for _, l := range body {
			writeDiffLine(w, l)
		}
		i = j
	}
	return nil
}

// writeNewFileDiff prints a file creation as a diff from /dev/null.
func writeNewFileDiff(w io.Writer, newName string, content []byte) {
	lines := splitLines(string(content))
	fmt.Fprintf(w, "--- /dev/null\n+++ %s\n@@ -0,0 +%s @@\n", newName, hunkRange(0, len(lines)))
	for _, l := range lines {
		writeDiffLine(w, "+"+l)
	}
}

// hunkRange formats "start,count" with diff's conventions: 1-based start,
// and for an empty range the line before it.
func hunkRange(start, count int) string {
	if count == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}

func writeDiffLine(w io.Writer, l string) {
	if strings.HasSuffix(l, "\n") {
		io.WriteString(w, l)
		return
	}
	io.WriteString(w, l+"\n\\ No newline at end of file\n")
}

// splitLines splits s after each "\n"; the last line may lack one.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// editChunks widens each edit to the whole lines it touches, merges edits
// whose lines overlap or touch, and trims the lines a chunk leaves unchanged.
func editChunks(old []byte, edits []codeactions.Edit) ([]chunk, error) {
	if len(edits) == 0 {
		return nil, nil
	}
	sorted := append([]codeactions.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Span.Start < sorted[j].Span.Start })
	x := syntax.NewLineIndex(old)
	lineEnd := func(line int) int { // offset just past the line's "\n"
		if line+1 < x.LineCount() {
			return x.LineStart(line + 1)
		}
		return len(old)
	}
	type group struct {
		first, last int // old lines, inclusive
		edits       []codeactions.Edit
	}
	var groups []group
	for _, e := range sorted {
		first := x.Line(e.Span.Start)
		last := x.Line(e.Span.End)
		if e.Span.End > e.Span.Start && e.Span.End == x.LineStart(last) && last > first {
			last-- // a span ending at a line start does not touch that line
		}
		if n := len(groups); n > 0 && first <= groups[n-1].last+1 {
			groups[n-1].last = max(groups[n-1].last, last)
			groups[n-1].edits = append(groups[n-1].edits, e)
			continue
		}
		groups = append(groups, group{first: first, last: last, edits: []codeactions.Edit{e}})
	}
	var out []chunk
	for i := 0; i < len(groups); i++ {
		g := groups[i]
		var start, end int
		var replaced []byte
		for {
			start, end = x.LineStart(g.first), lineEnd(g.last)
			local := make([]codeactions.Edit, len(g.edits))
			for k, e := range g.edits {
				local[k] = codeactions.Edit{Span: e.Span.Shift(-start), NewText: e.NewText}
			}
			var err error
			if replaced, err = codeactions.Apply(old[start:end], local); err != nil {
				return nil, err
			}
			// An edit that removed the region's last newline joined it with
			// the next line: take that line in too (and any group it reaches).
			if end == len(old) || bytes.HasSuffix(replaced, []byte("\n")) || len(replaced) == 0 && start == end {
				break
			}
			g.last++
			for i+1 < len(groups) && groups[i+1].first <= g.last+1 {
				g.last = max(g.last, groups[i+1].last)
				g.edits = append(g.edits, groups[i+1].edits...)
				i++
			}
		}
		c := chunk{OldStart: g.first, Old: splitLines(string(old[start:end])), New: splitLines(string(replaced))}
		for len(c.Old) > 0 && len(c.New) > 0 && c.Old[0] == c.New[0] {
			c.Old, c.New = c.Old[1:], c.New[1:]
			c.OldStart++
		}
		for len(c.Old) > 0 && len(c.New) > 0 && c.Old[len(c.Old)-1] == c.New[len(c.New)-1] {
			c.Old, c.New = c.Old[:len(c.Old)-1], c.New[:len(c.New)-1]
		}
		if len(c.Old) > 0 || len(c.New) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}
