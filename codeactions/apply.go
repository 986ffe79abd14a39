package codeactions

import (
	"fmt"
	"sort"
)

// Apply returns text with edits applied. Edits are byte spans of the original
// text and must not overlap; insertions at the same offset are applied in the
// order given (as the LSP specifies for TextEdit arrays), so a caller can put
// an import before a blank line it also inserts there.
func Apply(text []byte, edits []Edit) ([]byte, error) {
	sorted, err := sortEdits(edits, len(text))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(text)+64)
	at := 0
	for _, e := range sorted {
		out = append(out, text[at:e.Span.Start]...)
		out = append(out, e.NewText...)
		at = e.Span.End
	}
	return append(out, text[at:]...), nil
}

// sortEdits orders edits by position (stable, so same-offset insertions keep
// their order) and rejects overlapping or out-of-range ones.
func sortEdits(edits []Edit, size int) ([]Edit, error) {
	sorted := append([]Edit(nil), edits...)
	// At one offset, insertions go before a replacement that starts there.
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Span, sorted[j].Span
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End == a.Start && b.End != b.Start
	})
	for i, e := range sorted {
		if e.Span.Start < 0 || e.Span.End < e.Span.Start || e.Span.End > size {
			return nil, fmt.Errorf("codeactions: edit %d..%d outside text of %d bytes", e.Span.Start, e.Span.End, size)
		}
		if i > 0 && e.Span.Start < sorted[i-1].Span.End {
			return nil, fmt.Errorf("codeactions: edits %d..%d and %d..%d overlap",
				sorted[i-1].Span.Start, sorted[i-1].Span.End, e.Span.Start, e.Span.End)
		}
	}
	return sorted, nil
}

// normalize sorts edits and merges those that touch (an insertion at the
// start of a deletion, a deletion right after another) into one, so clients
// that reject touching ranges still accept the result.
func normalize(edits []Edit, size int) []Edit {
	sorted, err := sortEdits(edits, size)
	if err != nil {
		return edits // Apply reports the problem
	}
	var out []Edit
	for _, e := range sorted {
		if n := len(out); n > 0 && out[n-1].Span.End == e.Span.Start {
			out[n-1].Span.End = e.Span.End
			out[n-1].NewText += e.NewText
			continue
		}
		out = append(out, e)
	}
	return out
}

// overlaps reports whether any edit of a touches an edit of b: fix-all keeps a
// fix only when its edits are disjoint from the ones already taken. Two
// insertions at the same offset count as overlapping, since their order would
// then depend on which fix came first.
func overlaps(a, b []Edit) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Span.Start < y.Span.End && y.Span.Start < x.Span.End {
				return true
			}
			if x.Span.Start == y.Span.Start && (x.Span.Start == x.Span.End || y.Span.Start == y.Span.End) {
				return true
			}
		}
	}
	return false
}
