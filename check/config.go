package check

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/config"
)

// loadConfig finds the configuration that applies to start: the nearest
// directory, from start up to the repository root (the first directory
// holding .git), with a stablestack section in pyproject.toml, package.json
// or .stablestack.toml. It returns the configuration and the directory it
// came from (start when there is none: the defaults apply). A file that
// cannot be read or parsed is an error naming its file, line and column.
func loadConfig(start string) (*analysis.Config, string, error) {
	for dir := start; ; {
		cfg, used, err := config.Load(dir)
		if err != nil {
			return nil, "", err
		}
		if len(used) > 0 {
			return cfg, dir, nil
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return analysis.DefaultConfig(), start, nil
}

// rebaseExcludes returns cfg with its exclude globs rewritten for a walk
// that starts at walkRoot instead of the configuration's directory. The
// walker matches globs against paths relative to where it starts, while the
// user wrote them relative to the configuration file: "src/gen/**" must
// still exclude src/gen when the walk starts at src/ (it becomes "/gen/**").
func rebaseExcludes(cfg *analysis.Config, cfgRoot, walkRoot string) *analysis.Config {
	if len(cfg.Exclude) == 0 || cfgRoot == walkRoot {
		return cfg
	}
	prefix := relTo(cfgRoot, walkRoot)
	out := *cfg
	out.Exclude = nil
	for _, pat := range cfg.Exclude {
		if p, ok := rebaseGlob(pat, prefix); ok {
			out.Exclude = append(out.Exclude, p)
		}
	}
	return &out
}

// rebaseGlob rewrites one glob (analysis.MatchGlob syntax) for paths
// relative to the subdirectory prefix ("" when the walk root is outside the
// configuration's directory). ok is false when the glob cannot match
// anything under the subdirectory.
func rebaseGlob(pat, prefix string) (string, bool) {
	q := strings.TrimPrefix(pat, "./")
	if !strings.Contains(strings.TrimSuffix(q, "/"), "/") {
		return pat, true // a bare name matches at any depth, wherever the walk starts
	}
	q = strings.TrimPrefix(q, "/")
	if prefix == "" {
		return "", false // anchored to a directory the walk is not in
	}
	segs := strings.Split(q, "/")
	for _, ps := range strings.Split(prefix, "/") {
		if len(segs) == 0 || segs[0] == "" {
			return "**", true // the glob names an ancestor: everything is excluded
		}
		if segs[0] == "**" {
			return "/" + strings.Join(segs, "/"), true
		}
		if ok, _ := path.Match(segs[0], ps); !ok {
			return "", false
		}
		segs = segs[1:]
	}
	if len(segs) == 0 || (len(segs) == 1 && segs[0] == "") {
		return "**", true
	}
	return "/" + strings.Join(segs, "/"), true
}
