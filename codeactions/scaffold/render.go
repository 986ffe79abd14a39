package scaffold

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Version is the template generation written into every rendered header line.
// Bump it when a template changes in a way users should pick up.
const Version = "v1"

// luaPlaceholder marks where a template embeds the canonical script.
const luaPlaceholder = "__STABLESTACK_SLIDING_WINDOW_LUA__"

// scriptPath is the one copy of the script every language embeds.
const scriptPath = "templates/sliding_window.lua"

// scripts maps each placeholder to the script substituted for it: the counter
// and the opt-in exact sliding log.
var scripts = []struct{ placeholder, path string }{
	{luaPlaceholder, scriptPath},
	{"__STABLESTACK_SLIDING_LOG_LUA__", "templates/sliding_log.lua"},
}

// headerMarker starts the first line of every rendered file, after the comment
// leader; the line ends with sha256:<hex of the rest of the file>.
const headerMarker = "stablestack-rate-limiter "

// Languages lists the languages Render knows, in a stable order.
func Languages() []string { return []string{"node", "python"} }

// Render returns the module files for lang ("python" or "node"), keyed by file
// name, with the canonical script substituted and a header line recording the
// hash of the content. Code actions create these files; Write puts them on disk.
func Render(lang string) (map[string][]byte, error) {
	dir := "templates/" + lang
	entries, err := fs.ReadDir(templates, dir)
	if err != nil || !known(lang) {
		return nil, fmt.Errorf("scaffold: no templates for language %q (known: %s)", lang, strings.Join(Languages(), ", "))
	}
	var replacements []string
	for _, sc := range scripts {
		script, err := templates.ReadFile(sc.path)
		if err != nil {
			return nil, err
		}
		replacements = append(replacements, sc.placeholder, strings.TrimRight(string(script), "\n"))
	}
	substitute := strings.NewReplacer(replacements...)
	out := map[string][]byte{}
	for _, e := range entries {
		leader, ok := commentLeader(e.Name())
		if e.IsDir() || !ok {
			continue // only module sources are rendered (no notes or fixtures)
		}
		body, err := templates.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		body = []byte(substitute.Replace(string(body)))
		out[e.Name()] = append([]byte(headerLine(leader, body)), body...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("scaffold: templates for %q are not available in this build", lang)
	}
	return out, nil
}

func known(lang string) bool {
	i := sort.SearchStrings(Languages(), lang)
	return i < len(Languages()) && Languages()[i] == lang
}

func commentLeader(name string) (string, bool) {
	switch path.Ext(name) {
	case ".py":
		return "#", true
	case ".js", ".ts", ".mjs", ".cjs":
		return "//", true
	}
	return "", false
}

func headerLine(leader string, body []byte) string {
	sum := sha256.Sum256(body)
	return fmt.Sprintf("%s %s%s (do not edit this line) sha256:%s\n", leader, headerMarker, Version, hex.EncodeToString(sum[:]))
}

// Pristine reports whether content is a rendered file nobody edited: its header
// line is ours and matches the hash of the rest. Any Version qualifies, so an
// untouched older copy may be upgraded.
func Pristine(content []byte) bool {
	nl := bytes.IndexByte(content, '\n')
	if nl < 0 {
		return false
	}
	line, body := string(content[:nl]), content[nl+1:]
	i := strings.Index(line, headerMarker)
	j := strings.LastIndex(line, " sha256:")
	if i < 0 || j < 0 || !(strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "// ")) {
		return false
	}
	sum := sha256.Sum256(body)
	return line[j+len(" sha256:"):] == hex.EncodeToString(sum[:])
}
