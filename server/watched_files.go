package server

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/segmentio/encoding/json"

	"github.com/stablestack/stablestack/analysis"
)

// File change types of workspace/didChangeWatchedFiles.
const (
	fileCreated = 1
	fileChanged = 2
	fileDeleted = 3
)

type fileEvent struct {
	URI  string `json:"uri"`
	Type int    `json:"type"`
}

// didChangeWatchedFiles updates the index from files changed on disk. Files
// open in the editor are skipped: the buffer is what the user sees.
func (s *Server) didChangeWatchedFiles(_ context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Changes []fileEvent `json:"changes"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	changed, config := false, false
	for _, ev := range p.Changes {
		path, ok := uriToPath(ev.URI)
		if !ok {
			continue
		}
		if isConfigFile(path) {
			config = true
			continue
		}
		if s.docs.byKey(path) != nil {
			continue
		}
		switch ev.Type {
		case fileDeleted:
			changed = s.removeUnder(path) || changed
		case fileCreated, fileChanged:
			changed = s.indexFile(path) || changed
		}
	}
	if config {
		s.reloadConfig("configuration file changed")
		return nil, nil
	}
	if changed {
		s.recheckOpen()
	}
	return nil, nil
}

// removeUnder drops a deleted file, or every file under a deleted directory.
func (s *Server) removeUnder(path string) bool {
	if s.engine.Remove(path) {
		return true
	}
	var gone []string
	prefix := path + string(filepath.Separator)
	s.engine.Each(func(f *analysis.File) bool {
		if strings.HasPrefix(f.Path, prefix) {
			gone = append(gone, f.Path)
		}
		return true
	})
	for _, p := range gone {
		s.engine.Remove(p)
	}
	return len(gone) > 0
}
