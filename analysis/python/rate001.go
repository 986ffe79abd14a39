package python

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// appConstructors are the callees that create an object routes are registered
// on, with the framework they belong to.
var appConstructors = map[string]string{
	"FastAPI": "fastapi", "APIRouter": "fastapi",
	"Flask": "flask", "Blueprint": "flask",
}

// limiterDecorators are decorator names (last dotted part, or the whole
// dotted name) that put a rate limit on a handler.
var limiterDecorators = map[string]bool{
	"rate_limit": true, // ours: stablestack_rate_limiter
	"limit":      true, // slowapi / Flask-Limiter: @limiter.limit("5/minute")
	"ratelimit":  true, // django-ratelimit
}

// checkUnprotectedRoutes implements RATE001 for Python.
func checkUnprotectedRoutes(f *analysis.File, _ analysis.Workspace, cfg *analysis.Config) []analysis.Finding {
	facts, ok := f.Facts.(*Facts)
	if !ok {
		return nil
	}
	frameworks := map[string]string{} // receiver name -> framework
	for _, u := range facts.Units {
		for _, o := range u.Objects {
			callee := o.Callee[strings.LastIndexByte(o.Callee, '.')+1:]
			if fw, ok := appConstructors[callee]; ok {
				frameworks[o.Name] = fw
			}
		}
	}
	var out []analysis.Finding
	for _, u := range facts.Units {
		for _, r := range u.Routes {
			fw, known := frameworks[r.Receiver]
			if !known || protected(r, cfg) || cfg.IsHealthPath(r.Path) {
				continue
			}
			name := strings.Join(r.Methods, ", ") + " " + displayPath(r.Path)
			out = append(out, analysis.Finding{
				Span:    u.Abs(r.Span),
				Message: fmt.Sprintf("%s has no rate limiting", name),
				Fix: map[string]string{
					"fix":       "add-rate-limit",
					"framework": fw,
					"handler":   r.Handler,
					"route":     name,
				},
			})
		}
	}
	return out
}

func protected(r Route, cfg *analysis.Config) bool {
	for _, d := range r.Decorators {
		last := d.Callee[strings.LastIndexByte(d.Callee, '.')+1:]
		if limiterDecorators[last] || cfg.IsLimiterName(d.Callee) {
			return true
		}
	}
	return false
}

func displayPath(p string) string {
	if p == "" {
		return "(dynamic path)"
	}
	return p
}
