package check

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// WriteGitHub renders findings as GitHub Actions workflow commands, which
// the runner turns into annotations on the pull request's diff:
//
//	::warning file=app.py,line=5,col=1,endLine=5,endColumn=12,title=RATE001::POST /login has no rate limiting
//
// Paths are relative to the working directory (the checkout, in a workflow);
// columns are 1-based Unicode code points. Skipped files become annotations
// too, so they show up where people look.
func WriteGitHub(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	for _, r := range rep.Results {
		l := r.Location
		fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			githubLevel(r.Finding.Severity), escapeProperty(githubPath(l.Display)),
			l.Start.Line+1, l.Start.Col+1, l.End.Line+1, l.End.Col+1,
			escapeProperty(r.Finding.Rule.ID), escapeData(r.Finding.Message))
	}
	for _, p := range rep.Problems {
		level := "warning"
		if p.Fatal() {
			level = "error"
		}
		props := "file=" + escapeProperty(githubPath(displayPath(rep.Dir, p.Path)))
		if p.Line >= 0 {
			props += fmt.Sprintf(",line=%d,col=%d", p.Line+1, p.Col+1)
		}
		fmt.Fprintf(bw, "::%s %s,title=%s::%s\n", level, props, escapeProperty("stablestack: "+string(p.Kind)), escapeData(p.Message))
	}
	return bw.Flush()
}

func githubLevel(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// githubPath uses forward slashes, which the runner needs on every OS.
func githubPath(p string) string { return strings.ReplaceAll(p, "\\", "/") }

// escapeData escapes a workflow command's message, as the runner's
// toolkit (escapeData in @actions/core) does: "%", CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value: the data escapes plus ":" and ","
// which would otherwise end the value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
