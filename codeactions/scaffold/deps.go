package scaffold

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
