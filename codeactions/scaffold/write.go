package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Result tells what Write did, in the user's terms.
type Result struct {
	Lang      string
	Created   []string // files that did not exist
	Updated   []string // untouched older copies replaced by the current version
	Unchanged []string // already identical
	Kept      []string // edited by the user and left alone (no force)

	// Dependency is the package the module needs, e.g. "redis>=4.2".
	Dependency string
	// DependencyAdded lists the manifests Write added Dependency to.
	DependencyAdded []string
	// DependencyNote explains what the user must still do, if anything.
	DependencyNote string
}

// Write renders lang's module into dir. An existing file is replaced only when
// it is an unmodified rendered copy (see Pristine) or force is set; an
// identical file is left as is. It then adds the client dependency to the
// project's manifests where that can be done safely.
func Write(dir, lang string, force bool) (Result, error) {
	res := Result{Lang: lang}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return res, fmt.Errorf("scaffold: %s is not a directory", dir)
	}
	files, err := RenderFor(dir, lang)
	if err != nil {
		return res, err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		want := files[name]
		p := filepath.Join(dir, name)
		have, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			res.Created = append(res.Created, name)
		case err != nil:
			return res, err
		case bytes.Equal(have, want):
			res.Unchanged = append(res.Unchanged, name)
			continue
		case Pristine(have) || force:
			res.Updated = append(res.Updated, name)
		default:
			res.Kept = append(res.Kept, name)
			continue
		}
		if err := writeFileAtomic(p, want); err != nil {
			return res, err
		}
	}
	if err := addDependency(dir, lang, &res); err != nil {
		return res, err
	}
	return res, nil
}

// writeFileAtomic never leaves a half-written module behind.
func writeFileAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}
