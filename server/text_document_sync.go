package server

import (
	"context"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
)

// didOpen starts tracking a document and analyzes it at once.
func (s *Server) didOpen(_ context.Context, raw json.RawMessage) (any, error) {
	t0 := time.Now()
	var p didOpenParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	if p.TextDocument.URI == "" {
		s.log.Warn("didOpen without a URI ignored")
		return nil, nil
	}
	decoded := time.Since(t0)
	d, sn := s.docs.open(p.TextDocument)
	sn.received = t0
	s.log.Debug("didOpen", zap.String("uri", d.uri), zap.Int("bytes", len(sn.text)), zap.Duration("decode", decoded), zap.Duration("store", time.Since(t0)-decoded))
	d.diags.schedule(sn)
	return nil, nil
}

// didChange applies the changes (decoded with a pointer range: a change
// without one replaces the whole text) and schedules the new version.
func (s *Server) didChange(_ context.Context, raw json.RawMessage) (any, error) {
	t0 := time.Now()
	var p didChangeParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	if d, sn := s.docs.change(&p); d != nil {
		sn.received = t0
		d.diags.schedule(sn)
	}
	return nil, nil
}

// didSave needs no work for source files: the buffer was analyzed as typed.
// A saved configuration file changes the settings.
func (s *Server) didSave(_ context.Context, raw json.RawMessage) (any, error) {
	var p documentParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	if path, ok := uriToPath(p.TextDocument.URI); ok && isConfigFile(path) {
		s.reloadConfig("saved " + path)
	}
	return nil, nil
}

// didClose forgets the document, clears its diagnostics and puts the file's
// on-disk facts back in the workspace index.
func (s *Server) didClose(_ context.Context, raw json.RawMessage) (any, error) {
	var p documentParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	d := s.docs.remove(p.TextDocument.URI)
	if d == nil {
		s.log.Warn("didClose for a document that is not open; ignored", zap.String("uri", p.TextDocument.URI))
		return nil, nil
	}
	last := d.diags.last()
	d.close(true)
	s.restoreFromDisk(d, last)
	return nil, nil
}
