package javascript

import (
	"strings"
)

// Framework names, as they appear in the fix map.
const (
	fwExpress = "express"
	fwFastify = "fastify"
	fwKoa     = "koa"
	fwHono    = "hono"
)

// frameworkModules maps a module to the framework it belongs to.
var frameworkModules = map[string]string{
	"express": fwExpress, "fastify": fwFastify, "koa": fwKoa, "@koa/router": fwKoa, "koa-router": fwKoa,
	"koa-tree-router": fwKoa, "hono": fwHono, "@hono/zod-openapi": fwHono, "@hono/node-server": fwHono,
}

// frameworkOf returns the framework of a module specifier ("hono/tiny" is hono).
func frameworkOf(mod string) string {
	if fw, ok := frameworkModules[mod]; ok {
		return fw
	}
	if strings.HasPrefix(mod, "hono/") {
		return fwHono
	}
	return ""
}

// origin says which module a dotted path comes from, through the file's
// imports: with import { Router } from 'express', "Router" is ("express",
// "Router"); with const express = require('express'), "express.Router" is
// ("express", "Router"). Names not imported come back as ("", path).
func (m *module) origin(path string) (mod, member string) {
	if r, ok := requireModule(path); ok {
		rest := strings.TrimPrefix(strings.TrimPrefix(path, "require('"+r+"')"), ".")
		return r, rest
	}
	root := rootName(path)
	rest := strings.TrimPrefix(strings.TrimPrefix(path, root), ".")
	im, ok := m.imports[root]
	if !ok {
		return "", path
	}
	name := im.Name
	if name == "default" || name == "*" {
		name = ""
	}
	switch {
	case name == "":
		return im.Module, rest
	case rest == "":
		return im.Module, name
	}
	return im.Module, name + "." + rest
}

// constructorFramework recognizes the calls that create an app or router:
// express(), express.Router(), Fastify(), new Koa(), new Router() from
// @koa/router, new Hono(). It returns "" for anything else.
func (m *module) constructorFramework(v Value) string {
	if v.Kind != KCall && v.Kind != KNew {
		return ""
	}
	name := v.Name
	if name == "" && v.Callee != nil && v.Callee.Kind == KCall && v.Callee.Name == "require" && len(v.Callee.Args) == 1 {
		name = "require('" + v.Callee.Args[0].Str + "')"
	}
	if name == "" {
		return ""
	}
	mod, member := m.origin(name)
	member = strings.TrimPrefix(member, "default.")
	if mod != "" {
		fw := frameworkOf(mod)
		switch fw {
		case fwExpress:
			if member == "" || member == "Router" || member == "default" {
				return fw
			}
		case fwFastify:
			if member == "" || member == "fastify" || member == "default" || member == "Fastify" {
				return fw
			}
		case fwKoa:
			if member == "" || member == "Router" || member == "default" {
				return fw
			}
		case fwHono:
			if member == "Hono" || member == "OpenAPIHono" {
				return fw
			}
		}
		return ""
	}
	switch member {
	case "express", "express.Router":
		return fwExpress
	case "Router":
		if v.Kind == KNew {
			return fwKoa
		}
		return fwExpress
	case "fastify", "Fastify":
		return fwFastify
	case "Koa":
		return fwKoa
	case "Hono", "OpenAPIHono":
		return fwHono
	}
	return ""
}

// importsFramework reports whether the file imports a web framework, and which.
func (m *module) importsFramework() string {
	for _, u := range m.facts.Units {
		for _, im := range u.Imports {
			if fw := frameworkOf(im.Module); fw != "" {
				return fw
			}
		}
	}
	return ""
}

// limiterModules are packages whose exports are rate limiters (as
// middleware, hooks, plugins or wrappers).
var limiterModules = map[string]bool{
	"express-rate-limit": true, "express-slow-down": true, "express-brute": true,
	"rate-limiter-flexible": true, "@fastify/rate-limit": true, "fastify-rate-limit": true,
	"koa-ratelimit": true, "koa2-ratelimit": true, "hono-rate-limiter": true, "@upstash/ratelimit": true,
	"express-limiter": true, "stablestack-rate-limiter": true, "@hono-rate-limiter/redis": true,
}

// isLimiterModule recognizes limiter packages and our scaffolded module
// wherever it was written ("./stablestack-rate-limiter.js", "@/lib/stablestack-rate-limiter").
func isLimiterModule(mod string) bool {
	if limiterModules[mod] {
		return true
	}
	base := mod[strings.LastIndexByte(mod, '/')+1:]
	base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".js"), ".mjs"), ".cjs")
	return base == "stablestack-rate-limiter"
}

// limiterLikeName is the name heuristic: in-house limiters are almost always
// called so (apiLimiter, loginRateLimit, throttle, slowDown, bruteforce).
func limiterLikeName(name string) bool {
	l := strings.ToLower(name)
	l = strings.ReplaceAll(l, "delimiter", "")
	for _, s := range []string{"ratelimit", "rate_limit", "limiter", "throttl", "slowdown", "slow_down", "brute"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// appLikeName is the receiver-name heuristic for apps whose construction is
// out of sight (a plugin's or installer's parameter never seen invoked).
func appLikeName(name string) bool {
	switch name {
	case "app", "router", "server", "fastify", "instance", "koa", "hono":
		return true
	}
	return strings.HasSuffix(name, "Router") || strings.HasSuffix(name, "App")
}

// httpMethodOf maps a registration method to the HTTP method it routes.
func httpMethodOf(m string) string {
	switch m {
	case "get":
		return "GET"
	case "post":
		return "POST"
	case "put":
		return "PUT"
	case "patch":
		return "PATCH"
	case "delete":
		return "DELETE"
	case "options":
		return "OPTIONS"
	case "head":
		return "HEAD"
	case "del":
		return "DELETE"
	case "all", "any":
		return "ALL"
	}
	return ""
}
