package javascript

import (
	"path/filepath"
	"sort"
	"strings"
)

// @fastify/autoload registers every file of a directory as a plugin, with
// sub-directories as route prefixes (routes/users/index.js serves /users).
// fastify-cli generates apps this way, so without it every route file of
// such a project would look unregistered.

// autoloadTarget is one plugin file autoload registers.
type autoloadTarget struct {
	m      *module
	prefix string
}

// autoloadTargets returns the files a register(AutoLoad, { dir }) call
// loads, in directory order; ok is false when the call is not autoload.
func (it *interp) autoloadTargets(fr *frame, c *Call) ([]autoloadTarget, bool) {
	if len(c.Args) < 2 || c.Args[1].Kind != KObject {
		return nil, false
	}
	plugin := c.Args[0]
	name := plugin.Name
	if plugin.Kind == KCall && plugin.Name == "require" && len(plugin.Args) == 1 {
		name = "require('" + plugin.Args[0].Str + "')"
	}
	if mod, _ := fr.m.origin(name); mod != "@fastify/autoload" && mod != "fastify-autoload" {
		return nil, false
	}
	dirVal, ok := c.Args[1].Key("dir")
	if !ok {
		return nil, true
	}
	dir := ""
	switch dirVal.Kind {
	case KString:
		dir = dirVal.Str
	case KCall: // path.join(__dirname, 'routes')
		for _, a := range dirVal.Args {
			if a.Kind == KString {
				dir = filepath.Join(dir, filepath.FromSlash(a.Str))
			}
		}
	}
	if dir == "" {
		return nil, true
	}
	abs := filepath.Join(filepath.Dir(fr.m.path), dir) + string(filepath.Separator)
	var out []autoloadTarget
	for path, m := range it.p.modules {
		if !strings.HasPrefix(path, abs) {
			continue
		}
		rel := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, abs)))
		prefix := ""
		if rel != "." {
			prefix = "/" + rel
		}
		out = append(out, autoloadTarget{m: m, prefix: prefix})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].m.path < out[j].m.path })
	return out, true
}

// autoload runs the loaded plugins as register() would.
func (it *interp) autoload(fr *frame, inst *instance, targets []autoloadTarget, at anchor) {
	for _, t := range targets {
		_, v, ok := it.p.export(t.m, "default", 0)
		if !ok {
			continue
		}
		f, m, encapsulated := it.funcOf(it.moduleFrame(t.m), v, 0)
		if f == nil || len(f.Params) == 0 || f.Params[0] == "" {
			continue
		}
		child := inst
		if encapsulated {
			child = &instance{framework: fwFastify}
			child.mounts = append(child.mounts, mountEdge{parent: inst, prefix: t.prefix, at: at})
		}
		it.invoke(m, f, map[string]*instance{f.Params[0]: child}, fr, at)
	}
}
