package javascript

import (
	"fmt"
	"slices"

	"github.com/stablestack/stablestack/analysis"
)

// ReuseHits exposes the reuse counter to the external tests.
func ReuseHits() int64 { return reuseHits.Load() }

// SetOpenPieceBytes makes Open cut texts into pieces of about n bytes (so
// the real-code test covers small files too); it returns the restore.
func SetOpenPieceBytes(n int) func() {
	old := openPieceBytes
	openPieceBytes = n
	return func() { openPieceBytes = old }
}

// CheckReuseSeq checks the reuse state the latest program of ws leaves:
// each file's seq lists its route-only units in order, each with the
// routes unitRoutes holds for it and their open ones.
func CheckReuseSeq(ws analysis.Workspace) error {
	cacheMu.Lock()
	c := programs[ws]
	cacheMu.Unlock()
	if c == nil || c.p.reuse == nil {
		return nil
	}
	st := c.p.reuse
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.unitRoutes == nil {
		return nil // built on already
	}
	for path, m := range c.p.modules {
		var want []*UnitFacts
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly != 0 {
				want = append(want, u.UnitFacts)
			}
		}
		got := st.seq[path]
		if len(got) != len(want) {
			return fmt.Errorf("%s: %d units in seq, %d route-only units", path, len(got), len(want))
		}
		for i, e := range got {
			rs, ok := st.unitRoutes[e.uf]
			if e.uf != want[i] || !ok || !slices.Equal(rs, e.routes) || !slices.Equal(openOf(rs), e.open) {
				return fmt.Errorf("%s: seq entry %d is not route-only unit %d with its routes", path, i, i)
			}
		}
	}
	return nil
}
