package syntax

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	sitter "github.com/smacker/go-tree-sitter"
)

// MaxParseBytes bounds what is handed to tree-sitter. Larger inputs (minified
// bundles, generated data) are refused with ErrTooLarge instead of stalling the
// editor; callers keep the text and report why it was not analyzed.
const MaxParseBytes = 8 << 20

// ErrTooLarge is returned for inputs over MaxParseBytes.
var ErrTooLarge = errors.New("file too large to analyze")

// liveObjects counts trees and parsers not yet closed, so tests can fail on leaks
// (finalizers are unreliable with cgo-allocated memory).
var liveObjects atomic.Int64

// Live returns the number of trees created by this package and not yet closed.
func Live() int64 { return liveObjects.Load() }

// parserPool hands out one parser per language per goroutine: tree-sitter
// parsers are not safe for concurrent use, and creating one costs a malloc of
// its tables, so idle parsers are kept (at most a few per language).
type parserPool struct {
	mu   sync.Mutex
	free map[Language][]*sitter.Parser
}

var parsers = parserPool{free: map[Language][]*sitter.Parser{}}

func (p *parserPool) get(l Language) (*sitter.Parser, error) {
	g := l.grammar()
	if g == nil {
		return nil, fmt.Errorf("syntax: unsupported language %q", l)
	}
	p.mu.Lock()
	if list := p.free[l]; len(list) > 0 {
		ps := list[len(list)-1]
		p.free[l] = list[:len(list)-1]
		p.mu.Unlock()
		return ps, nil
	}
	p.mu.Unlock()
	ps := sitter.NewParser()
	ps.SetLanguage(g)
	return ps, nil
}

func (p *parserPool) put(l Language, ps *sitter.Parser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free[l]) < runtime.GOMAXPROCS(0)+1 {
		p.free[l] = append(p.free[l], ps)
		return
	}
	ps.Close()
}

// parse runs one (possibly incremental) parse. It never passes a cancellable
// context: smacker's parser can keep its cancel flag set after a cancellation
// and fail every later parse.
func parse(l Language, old *sitter.Tree, text []byte) (*sitter.Tree, error) {
	if len(text) > MaxParseBytes {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, len(text), MaxParseBytes)
	}
	ps, err := parsers.get(l)
	if err != nil {
		return nil, err
	}
	t, err := ps.ParseCtx(context.Background(), old, text)
	if err != nil {
		// A failed parser may be in an odd state; drop it rather than reuse it.
		ps.Close()
		return nil, fmt.Errorf("syntax: parse %s: %w", l, err)
	}
	parsers.put(l, ps)
	return t, nil
}
