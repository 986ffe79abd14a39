package check

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// Format is an output format of the check.
type Format string

const (
	FormatText   Format = "text"   // path:line:col: RATE001 message
	FormatJSON   Format = "json"   // one JSON document, see json.go
	FormatSARIF  Format = "sarif"  // SARIF 2.1.0 for code scanning
	FormatGitHub Format = "github" // GitHub Actions workflow commands
)

// Formats lists the accepted --format values.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatGitHub}

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want text, json, sarif or github)", s)
}

// ColorMode says when text output is coloured.
type ColorMode string

const (
	ColorAuto   ColorMode = "auto" // when stdout is a terminal and NO_COLOR is unset
	ColorAlways ColorMode = "always"
	ColorNever  ColorMode = "never"
)

// Options is one invocation of the checker, already parsed from flags.
type Options struct {
	Paths  []string // files and directories; empty means "."
	Format Format
	// Select and Ignore are rule IDs or names; Select empty means every rule
	// the configuration enables. Ignore wins over Select.
	Select []string
	Ignore []string
	// ForceExclude applies the configuration's excludes to files named
	// explicitly too (pre-commit passes every staged file by name).
	ForceExclude bool
	Fix          bool // write the safe fixes, then report what is left
	Diff         bool // print the fixes as a unified diff, write nothing
	ExitZero     bool // exit 0 even when findings remain (errors still exit 2)
	Color        ColorMode
	// Progress shows a progress line on stderr; it is only honoured when
	// stderr is a terminal, so piped runs stay clean.
	Progress bool
	// NoPrefilter parses every file, even those the text pre-filter rules
	// out. Hidden: it exists to prove the pre-filter changes no finding.
	NoPrefilter bool
	Workers     int    // 0 means GOMAXPROCS
	Timing      bool   // print each phase's duration to stderr (hidden flag)
	Version     string // the tool version written to SARIF
	// Dir is the working directory relative paths start from; "" means
	// os.Getwd (tests set it instead of changing directory).
	Dir string
}

// applyRuleFilters turns --select and --ignore into a configuration in which
// only the chosen rules are enabled. cfg is not modified.
func applyRuleFilters(cfg *analysis.Config, sel, ign []string) (*analysis.Config, error) {
	if len(sel) == 0 && len(ign) == 0 {
		return cfg, nil
	}
	out := *cfg
	out.Rules = map[string]analysis.RuleSetting{}
	for id, s := range cfg.Rules {
		out.Rules[id] = s
	}
	selected, err := ruleSet(sel)
	if err != nil {
		return nil, fmt.Errorf("--select: %w", err)
	}
	ignored, err := ruleSet(ign)
	if err != nil {
		return nil, fmt.Errorf("--ignore: %w", err)
	}
	for _, r := range analysis.Rules {
		s := out.Rules[r.ID]
		switch {
		case ignored[r.ID]:
			s.Disabled = true
		case len(selected) > 0:
			// --select names what runs, even a rule the configuration disabled:
			// the command line is the more specific request.
			s.Disabled = !selected[r.ID]
		}
		out.Rules[r.ID] = s
	}
	return &out, nil
}

// ruleSet resolves a list of rule IDs or names (comma-separated entries are
// split; "ALL" means every rule) to a set of IDs.
func ruleSet(list []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, item := range list {
		for _, id := range strings.Split(item, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if strings.EqualFold(id, "ALL") {
				for _, r := range analysis.Rules {
					set[r.ID] = true
				}
				continue
			}
			r := analysis.RuleByID(id)
			if r == nil {
				return nil, fmt.Errorf("unknown rule %q (known: %s)", id, ruleIDs())
			}
			set[r.ID] = true
		}
	}
	return set, nil
}

func ruleIDs() string {
	ids := make([]string, len(analysis.Rules))
	for i, r := range analysis.Rules {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}
