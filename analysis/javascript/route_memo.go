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
// check's to draw from, and the check's scratch space.
//
// Findings come sorted by position, so the previous check's are mostly
// met in the same order: each one is looked for a few places after the
// last match (comparing keys, no hashing), and after a few misses (text
// moved around) in a map of them all.
type routeMemo struct {
	prev   []memoItem
	j      int // where the next finding is expected in prev
	misses int
	index  map[routeKey]int // prev by key, built after memoLookahead misses
	cur    []memoItem
	// found and seen are checkUnprotectedRoutes' scratch, kept with the
	// memo so that each check of the file fills the last one's.
	found []openRoute
	seen  map[analysis.Span]bool
}

type memoItem struct {
	k  routeKey
	fd analysis.Finding
}

// memoLookahead is how far ahead of the last match a finding is looked
// for, and how many misses are tolerated before the map is built.
const memoLookahead = 4

var routeMemos memoStore

// memoStore keeps each file's memo between checks, so that the next check
// of the file draws from its findings and fills its spare lists instead of
// growing new ones (after a keystroke in the 5,000-route file, a new map
// of 500 findings was the largest allocation of the check).
type memoStore struct {
	mu     sync.Mutex
	byPath map[string]*routeMemo
}

// maxMemoFiles bounds the files remembered; only the files being edited
// benefit, so the set starts over when it is full.
const maxMemoFiles = 64

// begin takes the file's memo out of the store: a check of the same file
// running at the same time starts without one, and no memo is ever used by
// two checks.
func (s *memoStore) begin(path string) *routeMemo {
	s.mu.Lock()
	last := s.byPath[path]
	delete(s.byPath, path)
	s.mu.Unlock()
	if last == nil {
		return &routeMemo{seen: map[analysis.Span]bool{}}
	}
	// The findings handed out are copies: refilling the list of the
	// check before last changes none of them.
	m := &routeMemo{prev: last.cur, cur: last.prev[:0], found: last.found[:0], seen: last.seen}
	clear(m.seen)
	return m
}

func (s *memoStore) end(path string, m *routeMemo) {
	m.index = nil
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byPath == nil || len(s.byPath) >= maxMemoFiles && s.byPath[path] == nil {
		s.byPath = map[string]*routeMemo{}
	}
	s.byPath[path] = m
}

// finding returns the RATE001 finding of a route at span; insert is the
// limiter's insertion point relative to the span (-1 for none).
func (m *routeMemo) finding(span analysis.Span, methods []string, path, framework string, insert int) analysis.Finding {
	k := routeKey{strings.Join(methods, "\x00"), path, framework, insert}
	fd, ok := m.lookup(k)
	if !ok {
		fd = routeFinding(analysis.Span{}, methods, path, framework)
		if insert >= 0 {
			fd.Fix["insert_at"] = strconv.Itoa(insert)
		}
	}
	m.cur = append(m.cur, memoItem{k, fd})
	fd.Span = span
	return fd
}

// lookup finds the previous check's finding with key k.
func (m *routeMemo) lookup(k routeKey) (analysis.Finding, bool) {
	for i := m.j; i < len(m.prev) && i < m.j+memoLookahead; i++ {
		if m.prev[i].k == k {
			m.j = i + 1
			return m.prev[i].fd, true
		}
	}
	if m.misses++; m.misses <= memoLookahead {
		return analysis.Finding{}, false // most likely a new finding
	}
	if m.index == nil {
		m.index = make(map[routeKey]int, len(m.prev))
		for i := len(m.prev) - 1; i >= 0; i-- {
			m.index[m.prev[i].k] = i
		}
	}
	if i, ok := m.index[k]; ok {
		m.j = i + 1
		return m.prev[i].fd, true
	}
	return analysis.Finding{}, false
}
