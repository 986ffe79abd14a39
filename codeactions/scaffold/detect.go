package scaffold

import (
	"fmt"
	"os"
	"path/filepath"
)

// DetectLang guesses the project language of dir from its manifests:
// pyproject.toml, requirements.txt, setup.py or *.py files mean python,
// package.json means node. Both or neither is an error naming the choices.
func DetectLang(dir string) (string, error) {
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	py := exists("pyproject.toml") || exists("requirements.txt") || exists("setup.py") || exists("setup.cfg") || exists("manage.py")
	if !py {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.py"))
		py = len(matches) > 0
	}
	node := exists("package.json")
	switch {
	case py && node:
		return "", fmt.Errorf("%s has both Python and Node manifests; choose with --lang python or --lang node", dir)
	case py:
		return "python", nil
	case node:
		return "node", nil
	}
	return "", fmt.Errorf("cannot tell the language of %s (no pyproject.toml, requirements.txt, *.py or package.json); use --lang", dir)
}
