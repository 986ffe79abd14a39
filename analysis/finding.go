package analysis

import (
	"fmt"
	"strings"
)

// Severity of a finding. The numbering matches LSP's DiagnosticSeverity so the
// server converts without a table, but nothing here depends on the protocol.
type Severity int

const (
	SeverityError   Severity = 1
	SeverityWarning Severity = 2
	SeverityInfo    Severity = 3
	SeverityHint    Severity = 4
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	case SeverityHint:
		return "hint"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads a severity as written in configuration.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return SeverityError, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "info", "information":
		return SeverityInfo, nil
	case "hint":
		return SeverityHint, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning, info or hint)", s)
}

// Span is a half-open byte range [Start, End) in a file's text.
type Span struct{ Start, End int }

// Shift moves the span by delta bytes.
func (s Span) Shift(delta int) Span { return Span{s.Start + delta, s.End + delta} }

// Finding is one problem in one file.
type Finding struct {
	Rule     *Rule
	Severity Severity // the effective severity after configuration
	Span     Span     // where the editor underlines
	Message  string   // names the route or counter: "POST /login has no rate limiting"
	Related  []Related
	// Fix holds the facts a quick fix needs to rebuild its edit without
	// re-deriving them (kind of fix, handler name, limit, window...). Keys and
	// values are plain strings so they travel through any client unchanged.
	Fix map[string]string
}

// Related points at another place that explains a finding, such as where an
// in-memory counter is checked against its limit.
type Related struct {
	Path    string // "" means the finding's own file
	Span    Span
	Message string
}
