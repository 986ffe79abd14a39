package engine

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// ignoreRule is one line of a .gitignore file.
type ignoreRule struct {
	base    string // directory of the .gitignore, slash-separated, relative to the walk root ("" for the root)
	pattern string
	negate  bool
	dirOnly bool
}

// ignoreSet is the stack of .gitignore rules in force for a directory. Rules
// are checked last to first, since later lines (and deeper files) win, as in git.
type ignoreSet struct{ rules []ignoreRule }

// withDir returns the set extended with dir's .gitignore, if it has one. The
// receiver is not modified, so sibling directories never see each other's rules.
func (s *ignoreSet) withDir(absDir, relDir string) *ignoreSet {
	data, err := os.ReadFile(filepath.Join(absDir, ".gitignore"))
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return s
	}
	next := &ignoreSet{rules: append([]ignoreRule(nil), s.rules...)}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{base: relDir}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		line = strings.TrimPrefix(line, `\`)
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		if line == "" {
			continue
		}
		r.pattern = line
		next.rules = append(next.rules, r)
	}
	return next
}

// ignored reports whether rel (slash-separated, relative to the walk root) is
// ignored by the set.
func (s *ignoreSet) ignored(rel string, isDir bool) bool {
	for i := len(s.rules) - 1; i >= 0; i-- {
		r := s.rules[i]
		if r.dirOnly && !isDir {
			continue
		}
		sub := rel
		if r.base != "" {
			if !strings.HasPrefix(rel, r.base+"/") {
				continue
			}
			sub = rel[len(r.base)+1:]
		}
		pat := r.pattern
		anchored := strings.Contains(strings.TrimPrefix(pat, "/"), "/") || strings.HasPrefix(pat, "/")
		pat = strings.TrimPrefix(pat, "/")
		if !anchored {
			pat = "**/" + pat
		}
		if analysis.MatchGlob(pat, sub) {
			return !r.negate
		}
	}
	return false
}
