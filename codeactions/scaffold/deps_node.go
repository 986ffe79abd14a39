package scaffold

// Declaring the Node Redis client in package.json, keeping the file's layout.

import (
	"bytes"
	"encoding/json"
	"regexp"
)

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
			// Match a compact one-line style such as {"a":"^1","b":"^2"}.
			sep, compact := ", ", !bytes.Contains(inner, []byte(": "))
			if compact {
				sep, entry = ",", `"`+nodePackage+`":"`+nodeVersion+`"`
			}
			out = splice(data, open+1+len(trimmed), open+1+len(trimmed), sep+entry)
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
