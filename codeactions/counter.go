package codeactions

import (
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

func init() {
	fixers["replace-counter"] = replaceCounter
}

// replaceCounter is the RATE002 fix for a hand-written limiter: it deletes the
// in-memory counter and the code that checks it, and puts the Redis-backed
// limiter on every route that relied on it, with the limit and window read
// from the old code. Counters kept on an object (self.x, this.x) get the
// class rewrite of replaceClassCounter instead. When any
// use of the counter has a shape the fix does not understand, it offers
// nothing rather than a half rewrite.
func replaceCounter(fc *fileCtx, f analysis.Finding) []fix {
	name := f.Fix["counter"]
	if name == "" {
		return nil
	}
	if strings.Contains(name, ".") || f.Fix["class"] != "" {
		return replaceClassCounter(fc, f)
	}
	requests, window := fc.counterLimits(f)
	var fx fix
	var ok bool
	if fc.family == "python" {
		fx, ok = pyReplaceCounter(fc, f, name, requests, window)
	} else {
		fx, ok = nodeReplaceCounter(fc, f, name, requests, window)
	}
	if !ok {
		return nil
	}
	fx.title = "Replace in-memory limiter with Redis-backed rate limit"
	fx.preferred = true
	return []fix{fx}
}

// counterLimits is the limit and window the old code enforced, as the
// analyzer read them, else the configured defaults.
func (fc *fileCtx) counterLimits(f analysis.Finding) (requests, window int) {
	requests, window = fc.limits()
	for _, k := range []string{"requests", "limit"} {
		if n, err := strconv.Atoi(f.Fix[k]); err == nil && n > 0 {
			requests = n
			break
		}
	}
	if n, err := strconv.Atoi(f.Fix["window"]); err == nil && n > 0 {
		window = n
	}
	return requests, window
}
