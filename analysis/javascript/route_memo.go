package javascript

import (
	"strconv"
	"strings"
	"sync"

	"github.com/stablestack/stablestack/analysis"
)

// RATE001 findings that did not change between two checks of a file are
// handed back as the same values (message and Fix map), not rebuilt: after
// a keystroke in a file with hundreds of open routes, building every
// message and map again was a visible share of the edit-to-diagnostics
// time and of its garbage, and the server encodes an unchanged Fix map only
// once (it recognizes the map). A finding's content does not depend on its
// position (insert_at is relative to the span), so the memo is keyed by
// content and survives text moving.

type routeKey struct {
	methods, path, framework string
	insert                   int
}

// routeMemo is the findings of one check of a file, with the previous
// check's to draw from.
type routeMemo struct {
	prev, cur map[routeKey]analysis.Finding
}

var routeMemos memoStore

// memoStore keeps the last check's findings per file, and the map of the
// check before (emptied), so that the next check fills it instead of
// growing a new map of hundreds of findings: after a keystroke that map was
// the largest allocation of the check.
type memoStore struct {
	mu     sync.Mutex
	byPath map[string]memoEntry
}

type memoEntry struct {
	last, spare map[routeKey]analysis.Finding
}

// maxMemoFiles bounds the files remembered; only the files being edited
// benefit, so the set starts over when it is full.
const maxMemoFiles = 64

// begin takes the file's entry out of the store: a check of the same file
// running at the same time starts without one, and no map is ever filled
// by two checks.
func (s *memoStore) begin(path string) *routeMemo {
	s.mu.Lock()
	e := s.byPath[path]
	delete(s.byPath, path)
	s.mu.Unlock()
	cur := e.spare
	if cur == nil {
		cur = make(map[routeKey]analysis.Finding, len(e.last))
	} else {
		clear(cur)
	}
	return &routeMemo{prev: e.last, cur: cur}
}

func (s *memoStore) end(path string, m *routeMemo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byPath == nil || len(s.byPath) >= maxMemoFiles && s.byPath[path].last == nil {
		s.byPath = map[string]memoEntry{}
	}
	// Findings handed out are copies: emptying prev for the next check
	// changes none of them (their Fix maps are never emptied).
	s.byPath[path] = memoEntry{last: m.cur, spare: m.prev}
}

// finding returns the RATE001 finding of a route at span; insert is the
// limiter's insertion point relative to the span (-1 for none).
func (m *routeMemo) finding(span analysis.Span, methods []string, path, framework string, insert int) analysis.Finding {
	k := routeKey{strings.Join(methods, "\x00"), path, framework, insert}
	fd, ok := m.cur[k]
	if !ok {
		if fd, ok = m.prev[k]; !ok {
			fd = routeFinding(analysis.Span{}, methods, path, framework)
			if insert >= 0 {
				fd.Fix["insert_at"] = strconv.Itoa(insert)
			}
		}
		m.cur[k] = fd
	}
	fd.Span = span
	return fd
}
