package javascript

// ReuseHits exposes the reuse counter to the external tests.
func ReuseHits() int64 { return reuseHits.Load() }
