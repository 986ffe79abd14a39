package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

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
		ign, ignRel := ancestorIgnores(abs)
		if err := walkDir(ctx, abs, "", ignRel, ign.withDir(abs, ignRel), cfg, fn, onProblem); err != nil {
			return err
		}
	}
	return nil
}

// walkDir walks abs, whose path relative to the walk root is rel and relative
// to the repository top (where .gitignore patterns are anchored) is ignRel.
func walkDir(ctx context.Context, abs, rel, ignRel string, ign *ignoreSet, cfg *analysis.Config, fn func(SourceFile), onProblem func(Problem)) error {
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
		childRel, childIgnRel := joinRel(rel, name), joinRel(ignRel, name)
		typ := ent.Type()
		if typ&fs.ModeSymlink != 0 {
			// Follow links to files (common for shared config), never to
			// directories (loops, and code outside the project).
			info, err := os.Stat(childAbs)
			if err != nil {
				// A loop is worth saying; a dangling link (an editor's
				// .#file lock, a removed target) is not.
				if errors.Is(err, syscall.ELOOP) {
					if _, ok := syntax.ForPath(name); ok {
						onProblem(Problem{childAbs, err})
					}
				}
				continue
			}
			if info.IsDir() {
				continue
			}
			typ = info.Mode().Type()
		}
		if typ.IsDir() {
			if skippedDirs[name] || (strings.HasPrefix(name, ".") && name != ".well-known") || isVirtualenv(childAbs) ||
				ign.ignored(childIgnRel, true) || cfg.Excluded(childRel) {
				continue
			}
			if err := walkDir(ctx, childAbs, childRel, childIgnRel, ign.withDir(childAbs, childIgnRel), cfg, fn, onProblem); err != nil {
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
		if ign.ignored(childIgnRel, false) || cfg.Excluded(childRel) {
			continue
		}
		fn(SourceFile{Path: childAbs, Rel: childRel, Lang: lang})
	}
	return nil
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// ancestorIgnores collects the .gitignore rules of the directories above root,
// up to the top of its git repository, so checking src/ honours the
// repository's own .gitignore. It returns them with root's path relative to
// the repository top (or "" when root is not inside a repository).
func ancestorIgnores(root string) (*ignoreSet, string) {
	top := ""
	for d := root; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			top = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if top == "" || top == root {
		return &ignoreSet{}, ""
	}
	rel, err := filepath.Rel(top, root)
	if err != nil {
		return &ignoreSet{}, ""
	}
	rel = filepath.ToSlash(rel)
	ign := (&ignoreSet{}).withDir(top, "")
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		ign = ign.withDir(filepath.Join(top, filepath.FromSlash(strings.Join(parts[:i], "/"))), strings.Join(parts[:i], "/"))
	}
	return ign, rel
}
