// Package scaffold writes the StableStack rate-limiter module into a user's
// project: stablestack_rate_limiter.py for Python, stablestack-rate-limiter.js
// and .d.ts for Node.
//
// There is one Lua script (templates/sliding_window.lua) and one key schema for
// every language (docs/limiter.md), so a mixed Python and Node fleet shares
// counters. Templates carry a placeholder where the script is substituted at
// render time, and every rendered file starts with a header line recording the
// hash of its body, so Write can tell an untouched copy (safe to upgrade) from
// one the user edited (kept unless forced).
package scaffold
