package check

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// SARIF 2.1.0 (OASIS), restricted to what code scanning reads. The types
// are ours rather than a library's: the subset is small and the field names
// are the specification's.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// srcRoot is the uriBaseId of every artifact inside the scan root;
	// GitHub resolves it to the repository checkout.
	srcRoot = "%SRCROOT%"
	// fingerprintKey names our partialFingerprints entry; the "/v1" lets a
	// future change of the hash coexist with alerts made by this one.
	fingerprintKey = "stablestack/v1"
	informationURI = "https://github.com/stablestack/stablestack"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	// ColumnKind is declared because columns are UTF-16 code units, the unit
	// GitHub code scanning (and every LSP client by default) counts in.
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	HelpURI              string             `json:"helpUri"`
	Help                 sarifText          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags      []string `json:"tags"`
	Precision string   `json:"precision"`
	// ProblemSeverity is what GitHub shows for non-security alerts.
	ProblemSeverity string `json:"problem.severity"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level      string              `json:"level"`
	Message    sarifText           `json:"message"`
	Descriptor *sarifDescriptorRef `json:"descriptor,omitempty"`
	Locations  []sarifLocation     `json:"locations,omitempty"`
}

type sarifDescriptorRef struct {
	ID string `json:"id"`
}

// sarifLevel maps a severity to a SARIF result level.
func sarifLevel(s analysis.Severity) string {
	switch s {
	case analysis.SeverityError:
		return "error"
	case analysis.SeverityWarning:
		return "warning"
	}
	return "note"
}

// artifact is the artifactLocation of path: relative to %SRCROOT% when inside
// the scan root, else an absolute file URI.
func artifact(l Location) sarifArtifactLoc {
	if l.Rel != "" {
		uri := (&url.URL{Path: l.Rel}).EscapedPath()
		if first, _, _ := strings.Cut(uri, "/"); strings.Contains(first, ":") {
			uri = "./" + uri // "a:b.py" would read as a URI scheme
		}
		return sarifArtifactLoc{URI: uri, URIBaseID: srcRoot}
	}
	return sarifArtifactLoc{URI: fileURI(l.Path)}
}

func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive paths: file:///C:/...
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func region(l Location) *sarifRegion {
	return &sarifRegion{
		StartLine: l.Start.Line + 1, StartColumn: l.Start.Col16 + 1,
		EndLine: l.End.Line + 1, EndColumn: l.End.Col16 + 1, // exclusive, as SARIF defines it
	}
}

// WriteSARIF renders the report as a SARIF 2.1.0 log with one run.
func WriteSARIF(w io.Writer, rep *Report, version string) error {
	driver := sarifDriver{Name: "StableStack", Version: version, InformationURI: informationURI}
	ruleIndex := map[string]int{}
	// Every rule is listed, selected or not, so ruleIndex values stay the
	// same from one configuration to the next.
	for i, r := range analysis.Rules {
		ruleIndex[r.ID] = i
		level := sarifLevel(r.Severity)
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   r.ID,
			Name:                 r.Name,
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Title + "."},
			HelpURI:              r.DocsURL(),
			Help:                 sarifText{Text: r.Title + ". See " + r.DocsURL(), Markdown: "**" + r.ID + "**: " + r.Title + ". [Read more](" + r.DocsURL() + ")."},
			DefaultConfiguration: sarifConfiguration{Level: level},
			Properties:           sarifRuleProps{Tags: []string{"security", "reliability", "rate-limiting"}, Precision: "high", ProblemSeverity: level},
		})
	}
	run := sarifRun{
		Tool:       sarifTool{Driver: driver},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarifResult{},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{
			srcRoot: {URI: strings.TrimSuffix(fileURI(rep.Root), "/") + "/"},
		},
	}
	for _, r := range rep.Results {
		res := sarifResult{
			RuleID:    r.Finding.Rule.ID,
			RuleIndex: ruleIndex[r.Finding.Rule.ID],
			Level:     sarifLevel(r.Finding.Severity),
			Message:   sarifText{Text: r.Finding.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifact(r.Location), Region: region(r.Location),
			}}},
			PartialFingerprints: map[string]string{fingerprintKey: r.Fingerprint},
		}
		for i, rel := range r.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               &id,
				PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifact(rel.Location), Region: region(rel.Location)},
				Message:          &sarifText{Text: rel.Message},
			})
		}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: !rep.Fatal(), Notifications: []sarifNotification{}}
	for _, p := range rep.Problems {
		level := "warning"
		if p.Fatal() {
			level = "error"
		}
		loc := Location{Path: p.Path, Rel: relTo(rep.Root, p.Path)}
		pl := sarifPhysicalLocation{ArtifactLocation: artifact(loc)}
		if p.Line >= 0 {
			pl.Region = &sarifRegion{StartLine: p.Line + 1, StartColumn: p.Col16 + 1, EndLine: p.Line + 1, EndColumn: p.Col16 + 1}
		}
		inv.Notifications = append(inv.Notifications, sarifNotification{
			Level:      level,
			Message:    sarifText{Text: p.Message},
			Descriptor: &sarifDescriptorRef{ID: string(p.Kind)},
			Locations:  []sarifLocation{{PhysicalLocation: pl}},
		})
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}
