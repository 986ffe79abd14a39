package scaffold

import (
	"math/rand"
	"strconv"
	"testing"
)

// TestSequencesAgainstModel replays random request sequences (time moving
// forward, random costs, one to three policies) through both scripts on a real
// Redis and through the reference models, step by step. The vectors check
// single steps from given states; this checks that the states the scripts
// themselves leave behind (first write of a window, HINCRBY after it, pruned
// logs) keep agreeing with the models.
func TestSequencesAgainstModel(t *testing.T) {
	c := connectRedis(t)
	counter := string(mustReadTemplate(t, scriptPath))
	logScript := string(mustReadTemplate(t, "templates/sliding_log.lua"))
	rng := rand.New(rand.NewSource(42))
	outcomes := map[bool]int{}
	for seq := 0; seq < 20; seq++ {
		n := 1 + rng.Intn(3)
		policies := make([]modelPolicy, n)
		logs := make([]logPolicy, n)
		keys := make([]string, n)
		logKeys := make([]string, n)
		for k := range policies {
			limit := int64(1 + rng.Intn(6))
			w := int64([]int{500, 1000, 3000}[rng.Intn(3)])
			policies[k] = modelPolicy{Limit: limit, WindowMS: w}
			logs[k] = logPolicy{Limit: limit, WindowMS: w}
			keys[k] = "seq" + strconv.Itoa(seq) + ":{id}:" + strconv.Itoa(k)
			logKeys[k] = keys[k] + ":log"
		}
		now := int64(1700000000000 + rng.Intn(100000))
		for step := 0; step < 150; step++ {
			now += int64(rng.Intn(120))
			cost := int64(rng.Intn(3))
			want := evaluate(now, cost, policies)
			got := runScript(t, c, counter, keys, now, cost, policies)
			if want.Allowed != got.Allowed || want.RetryAfterMS != got.RetryAfterMS ||
				!slicesEqualJSON(want.Remaining, got.Remaining) || !slicesEqualJSON(want.ResetMS, got.ResetMS) {
				t.Fatalf("counter seq %d step %d (now %d cost %d): model %+v, script %+v", seq, step, now, cost, want, got)
			}
			outcomes[want.Allowed]++
			for k := range policies {
				policies[k].State = want.State[k]
			}
			wantLog := evaluateLog(now, cost, logs)
			gotLog := runScript(t, c, logScript, logKeys, now, cost, toModelPolicies(logs))
			if wantLog.Allowed != gotLog.Allowed || wantLog.RetryAfterMS != gotLog.RetryAfterMS ||
				!slicesEqualJSON(wantLog.Remaining, gotLog.Remaining) || !slicesEqualJSON(wantLog.ResetMS, gotLog.ResetMS) {
				t.Fatalf("log seq %d step %d (now %d cost %d): model %+v, script %+v", seq, step, now, cost, wantLog, gotLog)
			}
			for k := range logs {
				logs[k].Entries = wantLog.Entries[k]
			}
		}
	}
	if outcomes[true] < 100 || outcomes[false] < 100 {
		t.Fatalf("sequences too one-sided to test anything: %v", outcomes)
	}
}

func toModelPolicies(logs []logPolicy) []modelPolicy {
	out := make([]modelPolicy, len(logs))
	for i, l := range logs {
		out[i] = modelPolicy{Limit: l.Limit, WindowMS: l.WindowMS}
	}
	return out
}

// runScript evaluates a script with the test clock and parses its reply.
func runScript(t *testing.T, c *respConn, script string, keys []string, now, cost int64, policies []modelPolicy) modelResult {
	t.Helper()
	args := []string{"EVAL", script, strconv.Itoa(len(keys))}
	args = append(args, keys...)
	args = append(args, strconv.FormatInt(cost, 10), strconv.FormatInt(now, 10))
	for _, p := range policies {
		args = append(args, strconv.FormatInt(p.Limit, 10), strconv.FormatInt(p.WindowMS, 10))
	}
	reply := scriptReply(t, c.mustDo(t, args...))
	if len(reply) != 2+2*len(keys) {
		t.Fatalf("reply %v for %d keys", reply, len(keys))
	}
	res := modelResult{Allowed: reply[0] == 1, RetryAfterMS: reply[1]}
	for i := range keys {
		res.Remaining = append(res.Remaining, reply[2+2*i])
		res.ResetMS = append(res.ResetMS, reply[3+2*i])
	}
	return res
}

// TestScriptReplyLargeIntegers: the reply string carries integers up to the
// limit*window < 2^53 bound exactly (Lua's tostring would print 1e+14 from
// 10^14 on), on the one-policy path and the general one, for both scripts.
func TestScriptReplyLargeIntegers(t *testing.T) {
	c := connectRedis(t)
	counter := string(mustReadTemplate(t, scriptPath))
	logScript := string(mustReadTemplate(t, "templates/sliding_log.lua"))
	wide := modelPolicy{Limit: 100, WindowMS: 80_000_000_000_000} // reset_ms above 1e14
	tall := modelPolicy{Limit: 200_000_000_000_000, WindowMS: 40} // remaining above 1e14
	for name, policies := range map[string][]modelPolicy{"wide": {wide}, "tall": {tall}, "both": {wide, tall}} {
		keys := make([]string, len(policies))
		for k := range keys {
			keys[k] = "big:" + name + ":{id}:" + strconv.Itoa(k)
		}
		now, big := int64(1_700_000_000_000), false
		for step := 0; step < 30; step++ {
			now += int64(step * 7)
			cost := int64(step % 3)
			want := evaluate(now, cost, policies)
			got := runScript(t, c, counter, keys, now, cost, policies)
			if want.Allowed != got.Allowed || want.RetryAfterMS != got.RetryAfterMS ||
				!slicesEqualJSON(want.Remaining, got.Remaining) || !slicesEqualJSON(want.ResetMS, got.ResetMS) {
				t.Fatalf("%s step %d: model %+v, script %+v", name, step, want, got)
			}
			for k := range policies {
				policies[k].State = want.State[k]
				big = big || got.Remaining[k] >= 1e14 || got.ResetMS[k] >= 1e14
			}
		}
		if !big {
			t.Fatalf("%s: no reply value reached 1e14", name)
		}
	}
	// The log script (small limits by design) with a window above 1e14 ms.
	logKeys := []string{"big:log:{id}:0:log"}
	logs := []logPolicy{{Limit: 3, WindowMS: 300_000_000_000_000}}
	now := int64(1_700_000_000_000)
	for step := 0; step < 5; step++ {
		now += 11
		want := evaluateLog(now, 1, logs)
		got := runScript(t, c, logScript, logKeys, now, 1, toModelPolicies(logs))
		if want.Allowed != got.Allowed || want.RetryAfterMS != got.RetryAfterMS ||
			!slicesEqualJSON(want.Remaining, got.Remaining) || !slicesEqualJSON(want.ResetMS, got.ResetMS) {
			t.Fatalf("log step %d: model %+v, script %+v", step, want, got)
		}
		if got.ResetMS[0] < 1e14 {
			t.Fatalf("log step %d: reset %d, want above 1e14", step, got.ResetMS[0])
		}
		logs[0].Entries = want.Entries[0]
	}
}
