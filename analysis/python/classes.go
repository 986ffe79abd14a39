package python

import "strings"

// Class-based views: which HTTP methods a class serves and which of them are
// protected, following base classes defined in the workspace.

// methodFuncs are the method names that serve each HTTP method: plain views
// (get, post) and DRF viewset actions (list, create...).
var methodFuncs = map[string][]string{
	"GET":     {"get", "list", "retrieve"},
	"POST":    {"post", "create"},
	"PUT":     {"put", "update"},
	"PATCH":   {"patch", "partial_update"},
	"DELETE":  {"delete", "destroy"},
	"HEAD":    {"head"},
	"OPTIONS": {},
}

// libraryViewMethods are the methods library base classes serve without any
// code in the subclass.
var libraryViewMethods = map[string][]string{
	"ModelViewSet":                 {"GET", "POST", "PUT", "PATCH", "DELETE"},
	"ReadOnlyModelViewSet":         {"GET"},
	"ListAPIView":                  {"GET"},
	"RetrieveAPIView":              {"GET"},
	"ListCreateAPIView":            {"GET", "POST"},
	"CreateAPIView":                {"POST"},
	"UpdateAPIView":                {"PUT", "PATCH"},
	"DestroyAPIView":               {"DELETE"},
	"RetrieveUpdateAPIView":        {"GET", "PUT", "PATCH"},
	"RetrieveDestroyAPIView":       {"GET", "DELETE"},
	"RetrieveUpdateDestroyAPIView": {"GET", "PUT", "PATCH", "DELETE"},
	"ListModelMixin":               {"GET"},
	"RetrieveModelMixin":           {"GET"},
	"CreateModelMixin":             {"POST"},
	"UpdateModelMixin":             {"PUT", "PATCH"},
	"DestroyModelMixin":            {"DELETE"},
	"ObtainAuthToken":              {"POST"},
	"FormView":                     {"GET", "POST"},
	"CreateView":                   {"GET", "POST"},
	"UpdateView":                   {"GET", "POST"},
	"DeleteView":                   {"GET", "POST"},
	"LoginView":                    {"GET", "POST"},
	"LogoutView":                   {"GET", "POST"},
	"PasswordResetView":            {"GET", "POST"},
	"PasswordChangeView":           {"GET", "POST"},
	"ListView":                     {"GET"},
	"DetailView":                   {"GET"},
	"TemplateView":                 {"GET"},
	"RedirectView":                 {"GET"},
}

// viewsetMethods merges the methods defined in code with those of library bases.
func viewsetMethods(set map[string]bool, bases []string) []string {
	if set == nil {
		set = map[string]bool{}
	}
	for _, b := range bases {
		for _, m := range libraryViewMethods[lastPart(b)] {
			set[m] = true
		}
	}
	if len(set) == 0 {
		return nil
	}
	return sortedMethods(set)
}

// classMethods lists the HTTP methods a view class serves.
func (ix *index) classMethods(fi *fileInfo, c Class, depth int) []string {
	set := map[string]bool{}
	ix.collectMethods(fi, c, depth, set)
	return viewsetMethods(set, nil)
}

func (ix *index) collectMethods(fi *fileInfo, c Class, depth int, set map[string]bool) {
	for _, m := range c.Methods {
		for verb, names := range methodFuncs {
			if contains(names, m) {
				set[verb] = true
			}
		}
	}
	for _, b := range c.Bases {
		for _, m := range libraryViewMethods[lastPart(b)] {
			set[m] = true
		}
		if depth < 4 {
			if def, name := ix.resolve(fi, b); def != nil && name != "" {
				if bc, ok := def.classes[name]; ok {
					ix.collectMethods(def, *bc.v, depth+1, set)
				}
			}
		}
	}
}

// isDRFClass reports whether a class is a Django REST Framework view.
func (ix *index) isDRFClass(fi *fileInfo, c Class, depth int) bool {
	for _, b := range c.Bases {
		last := lastPart(b)
		if strings.HasSuffix(last, "APIView") || strings.HasSuffix(last, "ViewSet") || strings.HasSuffix(last, "ModelMixin") || last == "ObtainAuthToken" {
			return true
		}
		if depth < 4 {
			if def, name := ix.resolve(fi, b); def != nil && name != "" {
				if bc, ok := def.classes[name]; ok && ix.isDRFClass(def, *bc.v, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// classUnprotected returns the methods (of methods) a class leaves
// unprotected; all is true when the whole class is protected (a class
// decorator, throttle_classes, decorators = [limiter.limit(...)], a
// protected dispatch).
func (ix *index) classUnprotected(fi *fileInfo, c Class, methods []string) (left []string, all bool) {
	protectedFuncs := map[string]bool{}
	definedFuncs := map[string]bool{}
	if ix.classGuarded(fi, c, 0, protectedFuncs, definedFuncs) || protectedFuncs["dispatch"] {
		return nil, true
	}
	for _, m := range methods {
		names := methodFuncs[m]
		defined, guarded := 0, 0
		for _, n := range names {
			if definedFuncs[n] {
				defined++
				if protectedFuncs[n] {
					guarded++
				}
			}
		}
		if defined == 0 || guarded < defined {
			left = append(left, m)
		}
	}
	if len(methods) > 0 && len(left) == 0 {
		return nil, true
	}
	return left, false
}

func (ix *index) classGuarded(fi *fileInfo, c Class, depth int, protectedFuncs, definedFuncs map[string]bool) bool {
	if ix.guarded(fi, c.Decorators) {
		return true
	}
	if v, ok := c.Attrs["throttle_classes"]; ok {
		if t := strings.TrimSpace(v); t != "[]" && t != "()" && t != "" && t != "None" {
			return true
		}
	}
	for _, a := range []string{"decorators", "method_decorators"} {
		if ix.guarded(fi, c.AttrNames[a]) {
			return true
		}
	}
	for name, names := range c.MethodDecorators {
		if !definedFuncs[name] && ix.guarded(fi, names) {
			definedFuncs[name], protectedFuncs[name] = true, true
		}
	}
	for name, m := range fi.methodMap()[c.Name] {
		if !definedFuncs[name] {
			definedFuncs[name] = true
			protectedFuncs[name] = ix.funcProtected(fi, *m.v)
		} else if !protectedFuncs[name] {
			protectedFuncs[name] = ix.funcProtected(fi, *m.v)
		}
	}
	if depth >= 4 {
		return false
	}
	for _, b := range c.Bases {
		if def, name := ix.resolve(fi, b); def != nil && name != "" {
			if bc, ok := def.classes[name]; ok && ix.classGuarded(def, *bc.v, depth+1, protectedFuncs, definedFuncs) {
				return true
			}
		}
	}
	return false
}
