package analysis

import (
	"bytes"
	"strings"
)

// suppressMarker starts a suppression comment:
//
//	# stablestack: ignore[RATE001]       (this line or the next)
//	// stablestack: ignore[RATE001, RATE002]
//	# stablestack: ignore                (every rule)
//	# stablestack: ignore-file           (the whole file)
const suppressMarker = "stablestack:"

// Suppressions are the ignore comments of one file.
type Suppressions struct {
	file  map[string]bool         // rule ID (or "*") -> ignored in the whole file
	lines map[int]map[string]bool // 0-based line -> rule IDs (or "*")
}

// FindSuppressions scans text for suppression comments. It is a plain text
// scan (no parse) so it costs next to nothing on files without the marker.
func FindSuppressions(text []byte) Suppressions {
	var s Suppressions
	line, lineStart := 0, 0
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte(suppressMarker))
		if i < 0 {
			return s
		}
		at := off + i
		// Advance the line counter to the marker.
		line += bytes.Count(text[lineStart:at], []byte{'\n'})
		if nl := bytes.LastIndexByte(text[:at], '\n'); nl >= 0 {
			lineStart = nl + 1
		} else {
			lineStart = 0
		}
		off = at + len(suppressMarker)
		if !inComment(text[lineStart:at]) {
			continue
		}
		end := bytes.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		s.add(line, strings.TrimSpace(string(text[off:off+end])))
	}
}

// inComment reports whether a line prefix opens a comment (#, // or /*) that
// is not obviously inside a string.
func inComment(prefix []byte) bool {
	for _, open := range []string{"#", "//", "/*"} {
		if i := bytes.LastIndex(prefix, []byte(open)); i >= 0 {
			quotes := bytes.Count(prefix[:i], []byte{'"'}) + bytes.Count(prefix[:i], []byte{'\''})
			if quotes%2 == 0 {
				return true
			}
		}
	}
	return false
}

func (s *Suppressions) add(line int, directive string) {
	directive = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(directive, "*/")), ";")
	var whole bool
	switch {
	case strings.HasPrefix(directive, "ignore-file"):
		whole = true
		directive = strings.TrimPrefix(directive, "ignore-file")
	case strings.HasPrefix(directive, "ignore"):
		directive = strings.TrimPrefix(directive, "ignore")
	default:
		return
	}
	ids := []string{"*"}
	if strings.HasPrefix(directive, "[") {
		if end := strings.IndexByte(directive, ']'); end > 0 {
			ids = nil
			for _, id := range strings.Split(directive[1:end], ",") {
				if id = strings.ToUpper(strings.TrimSpace(id)); id != "" {
					ids = append(ids, id)
				}
			}
		}
	} else if directive != "" && directive[0] != ' ' && directive[0] != '\t' && directive[0] != ':' {
		return // "ignored", "ignorexyz": not our directive
	}
	for _, id := range ids {
		if whole {
			if s.file == nil {
				s.file = map[string]bool{}
			}
			s.file[id] = true
			continue
		}
		if s.lines == nil {
			s.lines = map[int]map[string]bool{}
		}
		if s.lines[line] == nil {
			s.lines[line] = map[string]bool{}
		}
		s.lines[line][id] = true
	}
}

// Suppressed reports whether a finding of rule on line (0-based) is ignored by
// a comment on that line, on the line above, or for the whole file.
func (s Suppressions) Suppressed(ruleID string, line int) bool {
	if s.file[ruleID] || s.file["*"] {
		return true
	}
	for _, l := range []int{line, line - 1} {
		if m := s.lines[l]; m[ruleID] || m["*"] {
			return true
		}
	}
	return false
}

// Empty reports whether the file has no suppression comments.
func (s Suppressions) Empty() bool { return len(s.file) == 0 && len(s.lines) == 0 }
