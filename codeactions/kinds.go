package codeactions

import "strings"

// KindAllowed reports whether an action of kind may be returned for a request
// restricted to only. Kinds are hierarchical: "source" admits
// "source.fixAll.stablestack", and "quickfix" admits "quickfix.anything". An
// empty only admits everything.
func KindAllowed(only []string, kind string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if explicitlyAllows(o, kind) {
			return true
		}
	}
	return false
}

// explicitlyRequested reports whether only names kind or one of its parents,
// as editors do when they run fix-all on save (only: ["source.fixAll"]).
func explicitlyRequested(only []string, kind string) bool {
	for _, o := range only {
		if explicitlyAllows(o, kind) {
			return true
		}
	}
	return false
}

func explicitlyAllows(o, kind string) bool {
	return o == kind || strings.HasPrefix(kind, o+".")
}
