package python

import (
	"strings"
)

// Framework names as they appear in the fix map and messages.
const (
	FastAPI      = "fastapi"
	Starlette    = "starlette"
	Flask        = "flask"
	FlaskRESTful = "flask-restful" // also flask-restx
	Django       = "django"
	DRF          = "drf"
	AIOHTTP      = "aiohttp"
)

// constructors maps the last part of a constructor's name to the framework
// of the app or router it creates, with the modules it must be imported from.
var constructors = map[string]struct {
	framework string
	modules   []string
}{
	"FastAPI":            {FastAPI, []string{"fastapi"}},
	"APIRouter":          {FastAPI, []string{"fastapi"}},
	"Starlette":          {Starlette, []string{"starlette"}},
	"Router":             {Starlette, []string{"starlette"}},
	"Flask":              {Flask, []string{"flask"}},
	"Blueprint":          {Flask, []string{"flask"}},
	"Quart":              {Flask, []string{"quart"}},
	"Api":                {FlaskRESTful, []string{"flask_restful", "flask_restx", "flask_restplus"}},
	"Namespace":          {FlaskRESTful, []string{"flask_restx", "flask_restplus"}},
	"namespace":          {FlaskRESTful, nil}, // api.namespace("todos")
	"Application":        {AIOHTTP, []string{"aiohttp"}},
	"RouteTableDef":      {AIOHTTP, []string{"aiohttp"}},
	"DefaultRouter":      {DRF, []string{"rest_framework"}},
	"SimpleRouter":       {DRF, []string{"rest_framework"}},
	"NestedSimpleRouter": {DRF, []string{"rest_framework_nested"}},
}

// frameworkOf says which framework created an object, judging by its
// constructor and the file's imports.
func (ix *index) frameworkOf(fi *fileInfo, o Object) string {
	c, ok := constructors[lastPart(o.Callee)]
	if !ok {
		return ""
	}
	if c.modules == nil { // api.namespace(...): whatever api is
		if fw := ix.receiverFramework(fi, receiverOf(o.Callee), 1); fw == FlaskRESTful {
			return fw
		}
		return ""
	}
	for _, m := range c.modules {
		if fi.libs[m] {
			return c.framework
		}
	}
	return ""
}

// appNames are receiver names that, in a file importing a framework, almost
// surely are that framework's app or router even when it is created
// elsewhere (app = create_app(), router passed in).
func appName(name string) bool {
	switch name {
	case "app", "application", "router", "api", "bp", "blueprint", "routes", "ns", "api_router", "web_app":
		return true
	}
	return strings.HasSuffix(name, "_app") || strings.HasSuffix(name, "_router") ||
		strings.HasSuffix(name, "_bp") || strings.HasSuffix(name, "_blueprint") || strings.HasSuffix(name, "_routes")
}

// importedFramework is the web framework a file imports, preferring the
// most specific.
func importedFramework(fi *fileInfo) string {
	switch {
	case fi.libs["fastapi"]:
		return FastAPI
	case fi.libs["flask_restful"] || fi.libs["flask_restx"]:
		return FlaskRESTful
	case fi.libs["flask"] || fi.libs["quart"]:
		return Flask
	case fi.libs["starlette"]:
		return Starlette
	case fi.libs["aiohttp"]:
		return AIOHTTP
	}
	return ""
}

// receiverFramework is the framework of the app or router a route is
// registered on, following imports across files; "" when it is not one.
func (ix *index) receiverFramework(fi *fileInfo, recv string, depth int) string {
	if recv == "" || depth > 4 {
		return ""
	}
	k := memoKey{memoFramework, fi, "", recv}
	if v, ok := ix.memoGet(k); ok {
		return v.s
	}
	fw := ix.receiverFrameworkUncached(fi, recv, depth)
	ix.memoPut(k, memoVal{s: fw})
	return fw
}

func (ix *index) receiverFrameworkUncached(fi *fileInfo, recv string, depth int) string {
	if def, name := ix.resolve(fi, recv); def != nil && name != "" {
		if o, ok := def.objects[name]; ok {
			if fw := ix.frameworkOf(def, *o.v); fw != "" {
				return fw
			}
		}
	}
	if o, ok := fi.objects[recv]; ok {
		if fw := ix.frameworkOf(fi, *o.v); fw != "" {
			return fw
		}
	}
	if appName(lastPart(recv)) {
		if fw := importedFramework(fi); fw != "" {
			return fw
		}
		// from .app import app: the framework is the defining file's.
		if def, _ := ix.resolve(fi, recv); def != nil {
			return importedFramework(def)
		}
	}
	return ""
}

// objectKey identifies the app or router recv names, following imports.
func (ix *index) objectKey(fi *fileInfo, recv string) objKey {
	if def, name := ix.resolve(fi, recv); def != nil && name != "" {
		return objKey{def.path, name}
	}
	return objKey{fi.path, recv}
}

// isRouterObject reports whether recv is an app or router that mounts
// nowhere by itself (APIRouter, Blueprint, RouteTableDef, Namespace).
func (ix *index) isRouterObject(fi *fileInfo, recv string) bool {
	def, name := ix.resolve(fi, recv)
	if def == nil {
		def, name = fi, recv
	}
	o, ok := def.objects[name]
	if !ok {
		return true // unknown: treat as a router so app-wide guards apply
	}
	switch lastPart(o.v.Callee) {
	case "APIRouter", "Blueprint", "RouteTableDef", "Namespace", "namespace", "Router", "DefaultRouter", "SimpleRouter":
		return true
	}
	return false
}

// libraryOf tells which library a constructor alias (Limiter, MemoryStorage)
// comes from in fi, by its import: "slowapi", "flask_limiter", "limits", ...
func libraryOf(fi *fileInfo, callee string) string {
	head := strings.SplitN(callee, ".", 2)[0]
	if im, ok := fi.imports[head]; ok {
		return strings.SplitN(strings.TrimLeft(im.Module, "."), ".", 2)[0]
	}
	return ""
}
