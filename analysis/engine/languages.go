package engine

// The languages the engine analyzes: linking a language package registers its
// frontend and rule checks.
import (
	_ "github.com/stablestack/stablestack/analysis/javascript"
	_ "github.com/stablestack/stablestack/analysis/python"
)
