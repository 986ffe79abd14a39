package scaffold

import "embed"

// templates holds the canonical Lua script and the per-language module
// templates. templates/node is written by the Node module's owner; everything
// found there at build time is rendered for "node".
//
//go:embed templates
var templates embed.FS
