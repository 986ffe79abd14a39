package scaffold

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/vectors.json, txtar goldens) from the current code")

const vectorsPath = "testdata/vectors.json"

// limiterVector is one golden case: inputs plus the expected script reply and
// stored state. The JSON is shared with the Python and Node test suites.
type limiterVector struct {
	Name     string        `json:"name"`
	NowMS    int64         `json:"now_ms"`
	Cost     int64         `json:"cost"`
	Policies []modelPolicy `json:"policies"`
	Expect   modelResult   `json:"expect"`
}

type keyVector struct {
	Prefix   string `json:"prefix"`
	Identity string `json:"identity"`
	Policy   string `json:"policy"`
	Key      string `json:"key"`
}

// identityVector: the identity a request gets from its peer address and
// X-Forwarded-For header given the trusted proxies (checked by the Python and
// Node suites; Go does not resolve identities).
type identityVector struct {
	Peer           string   `json:"peer"`
	XForwardedFor  string   `json:"x_forwarded_for"`
	TrustedProxies []string `json:"trusted_proxies"`
	Identity       string   `json:"identity"`
}

type vectorFile struct {
	Comment    []string         `json:"comment"`
	Limiter    []limiterVector  `json:"limiter"`
	Log        []logVector      `json:"log"`
	Keys       []keyVector      `json:"keys"`
	Identities []identityVector `json:"identities"`
}

// policyKey is the key schema of docs/limiter.md.
func policyKey(prefix, identity, policy string) string {
	sum := sha256.Sum256([]byte(identity))
	return prefix + ":{" + hex.EncodeToString(sum[:])[:16] + "}:" + policy
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Limiter) < 20 {
		t.Fatalf("only %d limiter vectors", len(vf.Limiter))
	}
	return vf
}

// TestVectorsModel checks the golden vectors against the reference model;
// with -update it regenerates the expectations from the model.
func TestVectorsModel(t *testing.T) {
	if *update {
		writeVectors(t)
	}
	vf := loadVectors(t)
	for _, v := range vf.Limiter {
		got := evaluate(v.NowMS, v.Cost, v.Policies)
		if !reflect.DeepEqual(got, v.Expect) {
			t.Errorf("%s: model %+v, golden %+v", v.Name, got, v.Expect)
		}
	}
	for _, v := range vf.Log {
		if got := evaluateLog(v.NowMS, v.Cost, v.Policies); !slicesEqualJSON(got, v.Expect) {
			t.Errorf("log %s: model %+v, golden %+v", v.Name, got, v.Expect)
		}
	}
	for _, k := range vf.Keys {
		if got := policyKey(k.Prefix, k.Identity, k.Policy); got != k.Key {
			t.Errorf("key(%q,%q,%q) = %q, golden %q", k.Prefix, k.Identity, k.Policy, got, k.Key)
		}
	}
}

// TestVectorsRedis runs every golden vector through the canonical script on a
// real redis-server, with the test-only clock override in ARGV[2].
func TestVectorsRedis(t *testing.T) {
	c := connectRedis(t)
	script := string(mustReadTemplate(t, "templates/sliding_window.lua"))
	for _, v := range loadVectors(t).Limiter {
		keys := make([]string, len(v.Policies))
		args := []string{"EVAL", script, strconv.Itoa(len(keys))}
		tail := []string{strconv.FormatInt(v.Cost, 10), strconv.FormatInt(v.NowMS, 10)}
		for i, p := range v.Policies {
			keys[i] = "vt:{id}:p" + strconv.Itoa(i)
			c.mustDo(t, "DEL", keys[i])
			if s := p.State; s != nil {
				c.mustDo(t, "HSET", keys[i], "i", strconv.FormatInt(s.I, 10), "c", strconv.FormatInt(s.C, 10), "p", strconv.FormatInt(s.P, 10))
				// As the script left it when it first wrote window s.I.
				c.mustDo(t, "PEXPIRE", keys[i], strconv.FormatInt(2*p.WindowMS, 10))
			}
			tail = append(tail, strconv.FormatInt(p.Limit, 10), strconv.FormatInt(p.WindowMS, 10))
		}
		reply := scriptReply(t, c.mustDo(t, append(append(args, keys...), tail...)...))
		if len(reply) != 2+2*len(keys) {
			t.Fatalf("%s: reply %v", v.Name, reply)
		}
		got := modelResult{Allowed: reply[0] == 1, RetryAfterMS: reply[1]}
		for i := range keys {
			got.Remaining = append(got.Remaining, reply[2+2*i])
			got.ResetMS = append(got.ResetMS, reply[3+2*i])
			got.State = append(got.State, readState(t, c, keys[i]))
			if init := v.Policies[i].State; got.State[i] != nil && (init == nil || *init != *got.State[i]) {
				// Written by this call: it must expire after two windows.
				if pttl := c.mustDo(t, "PTTL", keys[i]).(int64); pttl <= 0 || pttl > 2*v.Policies[i].WindowMS {
					t.Errorf("%s: key %d PTTL %d, want (0, %d]", v.Name, i, pttl, 2*v.Policies[i].WindowMS)
				}
			}
		}
		if !reflect.DeepEqual(got, v.Expect) {
			t.Errorf("%s: script %+v, golden %+v", v.Name, got, v.Expect)
		}
	}
}

func readState(t *testing.T, c *respConn, key string) *windowState {
	t.Helper()
	vals := c.mustDo(t, "HMGET", key, "i", "c", "p").([]any)
	if vals[0] == nil {
		return nil
	}
	n := func(v any) int64 {
		x, err := strconv.ParseInt(v.(string), 10, 64)
		if err != nil {
			t.Fatalf("%s: non-integer field %q", key, v)
		}
		return x
	}
	return &windowState{I: n(vals[0]), C: n(vals[1]), P: n(vals[2])}
}

func mustReadTemplate(t testing.TB, name string) []byte {
	t.Helper()
	b, err := templates.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeVectors regenerates testdata/vectors.json from vectorCases and the model.
func writeVectors(t *testing.T) {
	vf := vectorFile{
		Comment: []string{
			"Golden vectors of the stablestack sliding-window limiter (docs/limiter.md).",
			"limiter: state (hash fields i,c,p or null = no key) + now_ms + cost -> script reply and stored state.",
			"Run the canonical script with ARGV[2] = now_ms (test-only clock override).",
			"log: the opt-in exact sliding log (sliding_log.lua); entries are the logged timestamps.",
			"Generated by: go test ./codeactions/scaffold -run TestVectorsModel -update",
		},
		Limiter:    vectorCases(),
		Log:        logCases(),
		Keys:       keyCases(),
		Identities: identityCases(),
	}
	for i := range vf.Limiter {
		v := &vf.Limiter[i]
		v.Expect = evaluate(v.NowMS, v.Cost, v.Policies)
	}
	for i := range vf.Log {
		v := &vf.Log[i]
		v.Expect = evaluateLog(v.NowMS, v.Cost, v.Policies)
	}
	for i := range vf.Keys {
		vf.Keys[i].Key = policyKey(vf.Keys[i].Prefix, vf.Keys[i].Identity, vf.Keys[i].Policy)
	}
	data, err := json.MarshalIndent(vf, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vectorsPath, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func st(i, c, p int64) *windowState { return &windowState{I: i, C: c, P: p} }

func pol(limit, windowMS int64, s *windowState) modelPolicy {
	return modelPolicy{Limit: limit, WindowMS: windowMS, State: s}
}

// vectorCases are the hand-picked edge cases plus a seeded random sample.
func vectorCases() []limiterVector {
	const w = 60000
	const base = 1700000040000 // start of window 28333334 for w = 60 s
	const i = base / w
	c := []limiterVector{
		{Name: "empty key admits", NowMS: base + 1000, Cost: 1, Policies: []modelPolicy{pol(10, w, nil)}},
		{Name: "last unit of the window", NowMS: base + 1000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 9, 0))}},
		{Name: "full window waits for the next one", NowMS: base + 1000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 10, 0))}},
		{Name: "previous window weighted by overlap admits", NowMS: base + 30000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 0, 10))}},
		{Name: "previous window decays within this window", NowMS: base + 30000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 5, 10))}},
		{Name: "state of the previous window shifts", NowMS: base + 15000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i-1, 8, 3))}},
		{Name: "stale state two windows old is ignored", NowMS: base + 15000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i-2, 10, 10))}},
		{Name: "cost above remaining is rejected whole", NowMS: base + 1000, Cost: 3, Policies: []modelPolicy{pol(10, w, st(i, 8, 0))}},
		{Name: "cost fits exactly", NowMS: base + 1000, Cost: 2, Policies: []modelPolicy{pol(10, w, st(i, 8, 0))}},
		{Name: "cost above limit never passes", NowMS: base + 1000, Cost: 11, Policies: []modelPolicy{pol(10, w, nil)}},
		{Name: "cost zero peeks without writing", NowMS: base + 1000, Cost: 0, Policies: []modelPolicy{pol(10, w, st(i, 4, 2))}},
		{Name: "multi: one policy rejects, nothing is consumed", NowMS: base + 500, Cost: 1, Policies: []modelPolicy{pol(100, w, st(i, 3, 0)), pol(2, 1000, st(base/1000, 2, 0))}},
		{Name: "multi: both reject, the longer wait wins", NowMS: base + 500, Cost: 1, Policies: []modelPolicy{pol(3, w, st(i, 3, 0)), pol(2, 1000, st(base/1000, 2, 0))}},
		{Name: "multi: both admit and both count", NowMS: base + 500, Cost: 1, Policies: []modelPolicy{pol(100, w, st(i, 3, 7)), pol(5, 1000, st(base/1000-1, 4, 0))}},
		{Name: "small window limit one", NowMS: 1700000000250, Cost: 1, Policies: []modelPolicy{pol(1, 1000, st(1700000000, 1, 0))}},
		{Name: "limit one, previous window full", NowMS: 1700000000250, Cost: 1, Policies: []modelPolicy{pol(1, 1000, st(1699999999, 1, 0))}},
		{Name: "large limit and day window", NowMS: base + 12345678, Cost: 1, Policies: []modelPolicy{pol(1000000, 86400000, st((base+12345678)/86400000, 999999, 1000000))}},
		{Name: "last millisecond of a window", NowMS: base + w - 1, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 5, 10))}},
		{Name: "first millisecond of a window", NowMS: base, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i-1, 10, 0))}},
		{Name: "previous weight rounds to the window end", NowMS: base + 59000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 9, 100))}},
		{Name: "fractional remaining rounds down", NowMS: base + 20000, Cost: 1, Policies: []modelPolicy{pol(10, w, st(i, 2, 4))}},
	}
	// A seeded random sample over small limits and windows, where edge cases are dense.
	rng := rand.New(rand.NewSource(20261126))
	for n := 0; n < 40; n++ {
		policies := make([]modelPolicy, 1+rng.Intn(3))
		now := int64(1700000000000 + rng.Intn(10000000))
		for k := range policies {
			limit := int64(1 + rng.Intn(12))
			win := int64([]int{1000, 2000, 5000, 60000}[rng.Intn(4)])
			var s *windowState
			if rng.Intn(5) > 0 {
				s = st(now/win-int64(rng.Intn(3)), int64(rng.Intn(int(limit)+2)), int64(rng.Intn(int(limit)+2)))
			}
			policies[k] = pol(limit, win, s)
		}
		c = append(c, limiterVector{Name: "random " + strconv.Itoa(n), NowMS: now, Cost: int64(rng.Intn(3)), Policies: policies})
	}
	return c
}

func keyCases() []keyVector {
	return []keyVector{
		{Prefix: "stablestack", Identity: "ip:203.0.113.7", Policy: "app.views.login:5:60000"},
		{Prefix: "stablestack", Identity: "ip:2001:db8:1:2::/64", Policy: "default:100:60000"},
		{Prefix: "myapp:rl", Identity: "user:42", Policy: "api:1000:3600000"},
		{Prefix: "stablestack", Identity: "ip:unknown", Policy: "default:100:60000"},
	}
}

func identityCases() []identityVector {
	none := []string{}
	lb := []string{"10.0.0.0/8", "2001:db8:ffff::/48"}
	return []identityVector{
		{Peer: "203.0.113.7", TrustedProxies: none, Identity: "ip:203.0.113.7"},
		{Peer: "203.0.113.7", XForwardedFor: "198.51.100.1", TrustedProxies: none, Identity: "ip:203.0.113.7"},
		{Peer: "10.0.0.5", XForwardedFor: "198.51.100.1", TrustedProxies: none, Identity: "ip:10.0.0.5"},
		{Peer: "10.0.0.5", XForwardedFor: "198.51.100.1", TrustedProxies: lb, Identity: "ip:198.51.100.1"},
		{Peer: "10.0.0.5", XForwardedFor: "6.6.6.6, 198.51.100.1", TrustedProxies: lb, Identity: "ip:198.51.100.1"},
		{Peer: "10.0.0.5", XForwardedFor: "6.6.6.6, 198.51.100.1, 10.1.2.3", TrustedProxies: lb, Identity: "ip:198.51.100.1"},
		{Peer: "10.0.0.5", XForwardedFor: "10.9.9.9, 10.1.2.3", TrustedProxies: lb, Identity: "ip:10.9.9.9"},
		{Peer: "10.0.0.5", XForwardedFor: "", TrustedProxies: lb, Identity: "ip:10.0.0.5"},
		{Peer: "10.0.0.5", XForwardedFor: "garbage, 198.51.100.1", TrustedProxies: lb, Identity: "ip:198.51.100.1"},
		{Peer: "10.0.0.5", XForwardedFor: "garbage", TrustedProxies: lb, Identity: "ip:10.0.0.5"},
		{Peer: "203.0.113.7", XForwardedFor: "198.51.100.1", TrustedProxies: lb, Identity: "ip:203.0.113.7"},
		{Peer: "2001:db8:1:2:aaaa:bbbb:cccc:dddd", TrustedProxies: none, Identity: "ip:2001:db8:1:2::/64"},
		{Peer: "2001:DB8:1:2::1", TrustedProxies: none, Identity: "ip:2001:db8:1:2::/64"},
		{Peer: "2001:db8:ffff:1::9", XForwardedFor: "2001:db8:5:6:7:8:9:a", TrustedProxies: lb, Identity: "ip:2001:db8:5:6::/64"},
		{Peer: "::ffff:203.0.113.9", TrustedProxies: none, Identity: "ip:203.0.113.9"},
		{Peer: "10.0.0.5", XForwardedFor: "[2001:db8::1]:4711, 198.51.100.1:8080", TrustedProxies: lb, Identity: "ip:198.51.100.1"},
		{Peer: "", TrustedProxies: none, Identity: "ip:unknown"},
	}
}

// slicesEqualJSON compares values as their JSON forms, so nil and empty slices
// (absent and empty logs) compare equal.
func slicesEqualJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
