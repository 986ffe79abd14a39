package javascript

// ReuseHits exposes the reuse counter to the external tests.
func ReuseHits() int64 { return reuseHits.Load() }

// SetOpenPieceBytes makes Open cut texts into pieces of about n bytes (so
// the real-code test covers small files too); it returns the restore.
func SetOpenPieceBytes(n int) func() {
	old := openPieceBytes
	openPieceBytes = n
	return func() { openPieceBytes = old }
}
