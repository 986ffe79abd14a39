package check

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress draws one self-overwriting status line on a terminal's stderr.
// Workers call update after every file; drawing is throttled so the
// terminal, not the check, stays the cheap part.
type progress struct {
	w     io.Writer
	every time.Duration

	mu    sync.Mutex // guards the fields below and writes to w
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, every: 100 * time.Millisecond} }

func (p *progress) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	p.drawn = true
	fmt.Fprintf(p.w, "\r\x1b[Kchecking %d/%d files", done, total)
}

// clear erases the status line before other output goes to stderr.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
