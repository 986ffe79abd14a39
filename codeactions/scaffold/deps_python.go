package scaffold

// Declaring redis-py in requirements.txt and pyproject.toml with targeted text
// edits: a TOML rewrite would lose the user's comments and layout.

import (
	"bytes"
	"regexp"
)

func addPythonDependency(dir string, res *Result) error {
	var present, problems []string
	found := false
	for _, m := range []struct {
		name string
		edit func([]byte) ([]byte, bool, string)
	}{{"requirements.txt", editRequirements}, {"pyproject.toml", editPyproject}} {
		ok, err := editFile(dir, m.name, res, &present, &problems, m.edit)
		if err != nil {
			return err
		}
		found = found || ok
	}
	res.DependencyNote = dependencyNote(found, present, problems, pythonRequirement,
		"requirements.txt or pyproject.toml (Debian: apt install python3-redis)")
	return nil
}

var requirementsRedis = regexp.MustCompile(`(?im)^\s*redis\s*(\[[^\]]*\])?\s*([<>=!~;@]|$)`)

func editRequirements(data []byte) ([]byte, bool, string) {
	if requirementsRedis.Match(data) {
		return nil, true, ""
	}
	out := append([]byte{}, data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, pythonRequirement+"\n"...), false, ""
}

var (
	tomlHeader      = regexp.MustCompile(`(?m)^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$`)
	tomlDeps        = regexp.MustCompile(`(?m)^\s*dependencies\s*=\s*\[`)
	tomlDynamicDeps = regexp.MustCompile(`(?m)^\s*dynamic\s*=\s*\[[^\]]*["']dependencies["']`)
	tomlRedisItem   = regexp.MustCompile(`["']redis\s*(\[[^\]]*\])?\s*([<>=!~;@"']|$)`)
	tomlPoetryRedis = regexp.MustCompile(`(?m)^\s*["']?redis["']?\s*=`)
)

// tomlSection returns the byte range of the body of table name (after its
// header line up to the next header), or -1.
func tomlSection(data []byte, name string) (start, end int) {
	locs := tomlHeader.FindAllSubmatchIndex(data, -1)
	for k, loc := range locs {
		if string(data[loc[2]:loc[3]]) != name {
			continue
		}
		start = loc[1]
		if start < len(data) && data[start] == '\n' {
			start++
		}
		end = len(data)
		if k+1 < len(locs) {
			end = locs[k+1][0]
		}
		return start, end
	}
	return -1, -1
}

func editPyproject(data []byte) ([]byte, bool, string) {
	if s, e := tomlSection(data, "project"); s >= 0 {
		return editProjectTable(data, s, e)
	}
	if s, e := tomlSection(data, "tool.poetry.dependencies"); s >= 0 {
		if tomlPoetryRedis.Match(data[s:e]) {
			return nil, true, ""
		}
		return splice(data, s, s, `redis = ">=4.2"`+"\n"), false, ""
	}
	return nil, false, "" // a pyproject.toml without dependencies (e.g. tool config only)
}

func editProjectTable(data []byte, s, e int) ([]byte, bool, string) {
	section := data[s:e]
	if tomlDynamicDeps.Match(section) {
		return nil, false, "dependencies are dynamic"
	}
	loc := tomlDeps.FindIndex(section)
	if loc == nil {
		return splice(data, s, s, `dependencies = ["`+pythonRequirement+`"]`+"\n"), false, ""
	}
	open := s + loc[1] - 1 // index of '['
	closeAt, comments := arrayEnd(data, open)
	if closeAt < 0 {
		return nil, false, "cannot find the end of the dependencies array"
	}
	if tomlRedisItem.Match(data[open:closeAt]) {
		return nil, true, ""
	}
	if comments {
		return nil, false, "the dependencies array has comments"
	}
	inner := data[open+1 : closeAt]
	trimmed := bytes.TrimRight(inner, " \t\r\n")
	item := `"` + pythonRequirement + `"`
	if !bytes.Contains(inner, []byte("\n")) {
		switch {
		case len(bytes.TrimSpace(inner)) == 0:
			return splice(data, open+1, closeAt, item), false, ""
		case bytes.HasSuffix(trimmed, []byte(",")):
			return splice(data, open+1+len(trimmed), closeAt, " "+item), false, ""
		}
		return splice(data, open+1+len(trimmed), open+1+len(trimmed), ", "+item), false, ""
	}
	indent := "    "
	if m := regexp.MustCompile(`\n([ \t]+)\S`).FindSubmatch(inner); m != nil {
		indent = string(m[1])
	}
	at := open + 1 + len(trimmed)
	sep := ""
	if len(trimmed) > 0 && !bytes.HasSuffix(trimmed, []byte(",")) {
		sep = ","
	}
	return splice(data, at, at, sep+"\n"+indent+item+","), false, ""
}

// arrayEnd finds the ']' matching the '[' at open, skipping strings, and
// reports whether a comment occurs inside.
func arrayEnd(data []byte, open int) (int, bool) {
	depth, comments := 0, false
	for i := open; i < len(data); i++ {
		switch c := data[i]; c {
		case '"', '\'':
			j := i + 1
			for j < len(data) && data[j] != c && data[j] != '\n' {
				if c == '"' && data[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '#':
			comments = true
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i, comments
			}
		}
	}
	return -1, comments
}

func splice(data []byte, from, to int, text string) []byte {
	out := make([]byte, 0, len(data)+len(text))
	out = append(out, data[:from]...)
	out = append(out, text...)
	return append(out, data[to:]...)
}
