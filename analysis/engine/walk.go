package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// skippedDirs are never searched: version control, dependencies, virtualenvs,
// caches and build output hold code the user did not write.
var skippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true,
	"node_modules": true, "bower_components": true, "vendor": true,
	".venv": true, "venv": true, ".tox": true, ".nox": true, "__pycache__": true,
	".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
	"dist": true, "build": true, "out": true, ".next": true, ".nuxt": true,
	".svelte-kit": true, ".turbo": true, "coverage": true, ".cache": true,
	"site-packages": true, "target": true,
}

// isVirtualenv recognizes virtualenvs whatever they are called.
func isVirtualenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

// SourceFile is a file the walker found.
type SourceFile struct {
	Path string // absolute
	Rel  string // slash-separated, relative to the root it was found under
	Lang syntax.Language
}

// Problem is a path the walker could not read, reported rather than silently skipped.
type Problem struct {
	Path string
	Err  error
}

func (p Problem) Error() string { return fmt.Sprintf("%s: %v", p.Path, p.Err) }

// Walk finds the source files under roots. A root that is a file is always
// returned (if its language is known), even when excluded or ignored: a path
// given explicitly is checked. Directories skip skippedDirs, virtualenvs,
// .gitignore'd paths and cfg's excludes; symlinked directories are not
// followed (no loops). Unreadable paths go to onProblem and the walk goes on.
func Walk(ctx context.Context, roots []string, cfg *analysis.Config, fn func(SourceFile), onProblem func(Problem)) error {
	if cfg == nil {
		cfg = analysis.DefaultConfig()
	}
	for _, root := range roots {
		abs, err := filepath.Abs(root)
		if err != nil {
			onProblem(Problem{root, err})
			continue
		}
		info, err := os.Stat(abs)
		if err != nil {
			onProblem(Problem{root, err})
			continue
		}
		if !info.IsDir() {
			if lang, ok := syntax.ForPath(abs); ok {
				fn(SourceFile{Path: abs, Rel: filepath.Base(abs), Lang: lang})
			} else {
				onProblem(Problem{root, errors.New("not a Python, JavaScript, TypeScript or Go file")})
			}
			continue
		}
		if err := walkDir(ctx, abs, "", (&ignoreSet{}).withDir(abs, ""), cfg, fn, onProblem); err != nil {
			return err
		}
	}
	return nil
}

func walkDir(ctx context.Context, abs, rel string, ign *ignoreSet, cfg *analysis.Config, fn func(SourceFile), onProblem func(Problem)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		onProblem(Problem{abs, err})
		return nil
	}
	for _, ent := range entries {
		name := ent.Name()
		childAbs := filepath.Join(abs, name)
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		typ := ent.Type()
		if typ&fs.ModeSymlink != 0 {
			// Follow links to files (common for shared config), never to
			// directories (loops, and code outside the project).
			info, err := os.Stat(childAbs)
			if err != nil || info.IsDir() {
				continue
			}
			typ = info.Mode().Type()
		}
		if typ.IsDir() {
			if skippedDirs[name] || (strings.HasPrefix(name, ".") && name != ".well-known") || isVirtualenv(childAbs) ||
				ign.ignored(childRel, true) || cfg.Excluded(childRel) {
				continue
			}
			if err := walkDir(ctx, childAbs, childRel, ign.withDir(childAbs, childRel), cfg, fn, onProblem); err != nil {
				return err
			}
			continue
		}
		if !typ.IsRegular() {
			continue
		}
		lang, ok := syntax.ForPath(name)
		if !ok || strings.HasSuffix(name, ".d.ts") || strings.HasSuffix(name, ".min.js") {
			continue
		}
		if ign.ignored(childRel, false) || cfg.Excluded(childRel) {
			continue
		}
		fn(SourceFile{Path: childAbs, Rel: childRel, Lang: lang})
	}
	return nil
}
