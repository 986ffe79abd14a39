package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The client libraries the modules need. The Python module needs redis-py with
// redis.asyncio (4.2+); the Node module accepts ioredis or node-redis and we add
// ioredis when neither is declared.
const (
	pythonRequirement = "redis>=4.2"
	nodePackage       = "ioredis"
	nodeVersion       = "^6.0.0"
)

// addDependency declares the client library in the manifests it can edit
// without a full parser: requirements.txt, pyproject.toml ([project] or
// [tool.poetry.dependencies]) and package.json. Anything unusual is left to the
// user with a note rather than risking a broken manifest.
func addDependency(dir, lang string, res *Result) error {
	switch lang {
	case "python":
		res.Dependency = pythonRequirement
		return addPythonDependency(dir, res)
	case "node":
		res.Dependency = nodePackage + "@" + nodeVersion
		return addNodeDependency(dir, res)
	}
	return nil
}

// editFile applies edit to a manifest if it exists. edit returns the new
// content, whether the dependency was already there, and a reason when it
// could not edit safely.
func editFile(dir, name string, res *Result, present *[]string, problems *[]string,
	edit func([]byte) (out []byte, already bool, problem string)) (bool, error) {
	p := filepath.Join(dir, name)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	out, already, problem := edit(data)
	switch {
	case already:
		*present = append(*present, name)
	case problem != "":
		*problems = append(*problems, name+": "+problem)
	case out != nil:
		if err := writeFileAtomic(p, out); err != nil {
			return true, err
		}
		res.DependencyAdded = append(res.DependencyAdded, name)
	}
	return true, nil
}

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

func addNodeDependency(dir string, res *Result) error {
	var present, problems []string
	found, err := editFile(dir, "package.json", res, &present, &problems, editPackageJSON)
	if err != nil {
		return err
	}
	res.DependencyNote = dependencyNote(found, present, problems, nodePackage+"@"+nodeVersion,
		"package.json (npm install "+nodePackage+")")
	return nil
}

func dependencyNote(found bool, present, problems []string, dep, where string) string {
	var parts []string
	if len(present) > 0 {
		parts = append(parts, "already declared in "+strings.Join(present, ", "))
	}
	if len(problems) > 0 {
		parts = append(parts, "add "+dep+" by hand: "+strings.Join(problems, "; "))
	}
	if !found {
		parts = append(parts, "no manifest found: add "+dep+" to "+where)
	}
	return strings.Join(parts, "; ")
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

// editPackageJSON inserts the client into the top-level "dependencies" object,
// keeping the file's formatting, and checks the result still parses.
func editPackageJSON(data []byte) ([]byte, bool, string) {
	var pkg struct {
		Dependencies map[string]any `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, false, "not valid JSON: " + err.Error()
	}
	if _, ok := pkg.Dependencies["ioredis"]; ok {
		return nil, true, ""
	}
	if _, ok := pkg.Dependencies["redis"]; ok {
		return nil, true, ""
	}
	entry := `"` + nodePackage + `": "` + nodeVersion + `"`
	indent := detectIndent(data)
	var out []byte
	if open, closeAt, ok := topLevelObjectSpan(data, "dependencies"); ok {
		inner := data[open+1 : closeAt]
		trimmed := bytes.TrimRight(inner, " \t\r\n")
		blank := len(bytes.TrimSpace(inner)) == 0
		switch {
		case !bytes.Contains(inner, []byte("\n")) && blank:
			out = splice(data, open+1, closeAt, entry)
		case !bytes.Contains(inner, []byte("\n")):
			out = splice(data, open+1+len(trimmed), open+1+len(trimmed), ", "+entry)
		case blank:
			out = splice(data, open+1, closeAt, "\n"+indent+indent+entry+"\n"+indent)
		default:
			item := indent + indent
			if m := regexp.MustCompile(`\n([ \t]+)"[^\n]*$`).FindSubmatch(trimmed); m != nil {
				item = string(m[1])
			}
			out = splice(data, open+1+len(trimmed), open+1+len(trimmed), ",\n"+item+entry)
		}
	} else if _, present := topLevelObjectKey(data, "dependencies"); present {
		return nil, false, `"dependencies" is not an object`
	} else {
		end := bytes.LastIndexByte(data, '}')
		if end < 0 {
			return nil, false, "no top-level object"
		}
		body := bytes.TrimRight(data[:end], " \t\r\n")
		sep := ","
		if bytes.HasSuffix(body, []byte("{")) {
			sep = ""
		}
		out = splice(data, len(body), end, sep+"\n"+indent+`"dependencies": {`+"\n"+indent+indent+entry+"\n"+indent+"}\n")
	}
	var check struct {
		Dependencies map[string]any `json:"dependencies"`
	}
	if json.Unmarshal(out, &check) != nil || check.Dependencies[nodePackage] != nodeVersion {
		return nil, false, "could not edit it safely"
	}
	return out, false, ""
}

// topLevelObjectKey reports whether the top-level object has key, and the
// decoder positioned at its value.
func topLevelObjectKey(data []byte, key string) (*json.Decoder, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		if k, _ := t.(string); k == key {
			return dec, true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false
		}
	}
	return nil, false
}

// topLevelObjectSpan returns the offsets of the braces of the object value of
// key in the top-level JSON object.
func topLevelObjectSpan(data []byte, key string) (open, closeAt int, ok bool) {
	dec, found := topLevelObjectKey(data, key)
	if !found {
		return 0, 0, false
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, 0, false
	}
	open = int(dec.InputOffset()) - 1
	for dec.More() {
		if _, err := dec.Token(); err != nil { // key
			return 0, 0, false
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0, 0, false
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return 0, 0, false
	}
	closeAt = int(dec.InputOffset()) - 1
	return open, closeAt, data[open] == '{' && data[closeAt] == '}'
}

func detectIndent(data []byte) string {
	if m := regexp.MustCompile(`\n([ \t]+)"`).FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return "  "
}
