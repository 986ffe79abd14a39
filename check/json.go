package check

import (
	"encoding/json"
	"io"
	"path/filepath"
)

// The JSON document. Its shape is part of the CLI's interface (docs/cli.md):
// add fields, never rename or remove them.
type jsonReport struct {
	Version  int           `json:"version"` // of this document's shape
	Tool     jsonTool      `json:"tool"`
	Root     string        `json:"root"` // paths below are relative to it (slash-separated)
	Findings []jsonFinding `json:"findings"`
	Problems []jsonProblem `json:"problems"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonPosition struct {
	Line   int `json:"line"`   // 1-based
	Column int `json:"column"` // 1-based, Unicode code points
	Offset int `json:"offset"` // 0-based byte offset
}

type jsonFinding struct {
	Rule        string        `json:"rule"`
	Name        string        `json:"name"`
	Severity    string        `json:"severity"`
	Message     string        `json:"message"`
	Path        string        `json:"path"`
	Start       jsonPosition  `json:"start"`
	End         jsonPosition  `json:"end"`
	Docs        string        `json:"docs"`
	Fingerprint string        `json:"fingerprint"`
	Related     []jsonRelated `json:"related"`
}

type jsonRelated struct {
	Path    string       `json:"path"`
	Start   jsonPosition `json:"start"`
	End     jsonPosition `json:"end"`
	Message string       `json:"message"`
}

type jsonProblem struct {
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	Checked  bool   `json:"checked"`  // the file was still checked (warning only)
	Explicit bool   `json:"explicit"` // named on the command line
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

type jsonSummary struct {
	Files    int `json:"files"`   // source files found
	Checked  int `json:"checked"` // of which read and checked
	Findings int `json:"findings"`
	Problems int `json:"problems"`
}

func jsonPos(p Position) jsonPosition {
	return jsonPosition{Line: p.Line + 1, Column: p.Col + 1, Offset: p.Offset}
}

// reportPath is a location's path as JSON and SARIF print it: relative to the
// root when inside it, else absolute.
func reportPath(l Location) string {
	if l.Rel != "" {
		return l.Rel
	}
	return filepath.ToSlash(l.Path)
}

// WriteJSON renders the report as one indented JSON document.
func WriteJSON(w io.Writer, rep *Report, version string) error {
	doc := jsonReport{
		Version:  1,
		Tool:     jsonTool{Name: "stablestack", Version: version},
		Root:     filepath.ToSlash(rep.Root),
		Findings: []jsonFinding{},
		Problems: []jsonProblem{},
		Summary:  jsonSummary{Files: rep.Files, Checked: rep.Checked, Findings: len(rep.Results), Problems: len(rep.Problems)},
	}
	for _, r := range rep.Results {
		f := jsonFinding{
			Rule:        r.Finding.Rule.ID,
			Name:        r.Finding.Rule.Name,
			Severity:    r.Finding.Severity.String(),
			Message:     r.Finding.Message,
			Path:        reportPath(r.Location),
			Start:       jsonPos(r.Location.Start),
			End:         jsonPos(r.Location.End),
			Docs:        r.Finding.Rule.DocsURL(),
			Fingerprint: r.Fingerprint,
			Related:     []jsonRelated{},
		}
		for _, rel := range r.Related {
			f.Related = append(f.Related, jsonRelated{
				Path: reportPath(rel.Location), Start: jsonPos(rel.Location.Start), End: jsonPos(rel.Location.End),
				Message: rel.Message,
			})
		}
		doc.Findings = append(doc.Findings, f)
	}
	for _, p := range rep.Problems {
		jp := jsonProblem{
			Path: reportPath(Location{Path: p.Path, Rel: relTo(rep.Root, p.Path)}), Kind: string(p.Kind),
			Message: p.Message, Checked: p.Checked, Explicit: p.Explicit,
		}
		if p.Line >= 0 {
			jp.Line, jp.Column = p.Line+1, p.Col+1
		}
		doc.Problems = append(doc.Problems, jp)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
