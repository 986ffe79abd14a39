package scaffold

import (
	"math/rand"
	"slices"
	"strconv"
	"testing"
)

// The reference model of templates/sliding_log.lua, defined by counting live
// entries and searching for the first admitting millisecond.

type logPolicy struct {
	Limit    int64   `json:"limit"`
	WindowMS int64   `json:"window_ms"`
	Entries  []int64 `json:"entries"` // timestamps (ms) of the logged units
}

type logResult struct {
	Allowed      bool      `json:"allowed"`
	RetryAfterMS int64     `json:"retry_after_ms"`
	Remaining    []int64   `json:"remaining"`
	ResetMS      []int64   `json:"reset_ms"`
	Entries      [][]int64 `json:"entries"` // live entries after the call, oldest first
}

type logVector struct {
	Name     string      `json:"name"`
	NowMS    int64       `json:"now_ms"`
	Cost     int64       `json:"cost"`
	Policies []logPolicy `json:"policies"`
	Expect   logResult   `json:"expect"`
}

// live returns the entries still inside the window at t, oldest first.
func live(entries []int64, t, w int64) []int64 {
	var out []int64
	for _, s := range entries {
		if t-s < w {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func evaluateLog(nowMS, cost int64, policies []logPolicy) logResult {
	res := logResult{Allowed: true}
	for _, p := range policies {
		admits := func(d int64) bool { return int64(len(live(p.Entries, nowMS+d, p.WindowMS)))+cost <= p.Limit }
		if admits(0) {
			continue
		}
		res.Allowed = false
		r := p.WindowMS
		if cost <= p.Limit {
			r = firstTrue(p.WindowMS, admits)
		}
		res.RetryAfterMS = max(res.RetryAfterMS, r)
	}
	for _, p := range policies {
		entries := live(p.Entries, nowMS, p.WindowMS)
		if res.Allowed {
			for range cost {
				entries = append(entries, nowMS)
			}
		}
		if entries == nil {
			entries = []int64{}
		}
		w := p.WindowMS
		reset := firstTrue(w, func(d int64) bool { return len(live(entries, nowMS+d, w)) == 0 })
		res.Remaining = append(res.Remaining, max(p.Limit-int64(len(entries)), 0))
		res.ResetMS = append(res.ResetMS, reset)
		res.Entries = append(res.Entries, entries)
	}
	return res
}

func logCases() []logVector {
	const now = 1700000000000
	c := []logVector{
		{Name: "empty log admits", NowMS: now, Cost: 1, Policies: []logPolicy{{Limit: 3, WindowMS: 60000}}},
		{Name: "full log waits for its oldest entry", NowMS: now, Cost: 1, Policies: []logPolicy{{Limit: 3, WindowMS: 60000, Entries: []int64{now - 50000, now - 20000, now - 1}}}},
		{Name: "entries outside the window are pruned", NowMS: now, Cost: 1, Policies: []logPolicy{{Limit: 3, WindowMS: 60000, Entries: []int64{now - 60000, now - 70000, now - 59999}}}},
		{Name: "cost two needs two entries to leave", NowMS: now, Cost: 2, Policies: []logPolicy{{Limit: 3, WindowMS: 60000, Entries: []int64{now - 50000, now - 20000, now - 1}}}},
		{Name: "cost above limit never passes", NowMS: now, Cost: 4, Policies: []logPolicy{{Limit: 3, WindowMS: 60000}}},
		{Name: "same millisecond entries are all kept", NowMS: now, Cost: 1, Policies: []logPolicy{{Limit: 5, WindowMS: 1000, Entries: []int64{now, now, now}}}},
		{Name: "multi: one rejects, nothing is logged", NowMS: now, Cost: 1, Policies: []logPolicy{{Limit: 10, WindowMS: 60000, Entries: []int64{now - 5}}, {Limit: 1, WindowMS: 1000, Entries: []int64{now - 400}}}},
		{Name: "cost zero peeks", NowMS: now, Cost: 0, Policies: []logPolicy{{Limit: 2, WindowMS: 1000, Entries: []int64{now - 400, now - 300}}}},
	}
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 20; n++ {
		ps := make([]logPolicy, 1+rng.Intn(2))
		for k := range ps {
			w := int64([]int{1000, 5000}[rng.Intn(2)])
			p := logPolicy{Limit: int64(1 + rng.Intn(5)), WindowMS: w}
			for range rng.Intn(8) {
				p.Entries = append(p.Entries, now-int64(rng.Intn(int(w)+500)))
			}
			slices.Sort(p.Entries)
			ps[k] = p
		}
		c = append(c, logVector{Name: "random " + strconv.Itoa(n), NowMS: now, Cost: int64(rng.Intn(3)), Policies: ps})
	}
	return c
}

// TestLogVectorsRedis runs the log vectors through sliding_log.lua on a real redis-server.
func TestLogVectorsRedis(t *testing.T) {
	c := connectRedis(t)
	script := string(mustReadTemplate(t, "templates/sliding_log.lua"))
	for _, v := range loadVectors(t).Log {
		keys := make([]string, len(v.Policies))
		args := []string{"EVAL", script, strconv.Itoa(len(keys))}
		tail := []string{strconv.FormatInt(v.Cost, 10), strconv.FormatInt(v.NowMS, 10)}
		for i, p := range v.Policies {
			keys[i] = "lt:{id}:p" + strconv.Itoa(i) + ":log"
			c.mustDo(t, "DEL", keys[i])
			for j, s := range p.Entries {
				c.mustDo(t, "ZADD", keys[i], strconv.FormatInt(s, 10), "seed-"+strconv.Itoa(j))
			}
			tail = append(tail, strconv.FormatInt(p.Limit, 10), strconv.FormatInt(p.WindowMS, 10))
		}
		reply := scriptReply(t, c.mustDo(t, append(append(args, keys...), tail...)...))
		if len(reply) != 2+2*len(keys) {
			t.Fatalf("%s: reply %v", v.Name, reply)
		}
		got := logResult{Allowed: reply[0] == 1, RetryAfterMS: reply[1]}
		for i := range keys {
			got.Remaining = append(got.Remaining, reply[2+2*i])
			got.ResetMS = append(got.ResetMS, reply[3+2*i])
			raw := c.mustDo(t, "ZRANGE", keys[i], "0", "-1", "WITHSCORES").([]any)
			entries := []int64{}
			for j := 1; j < len(raw); j += 2 {
				s, _ := strconv.ParseInt(raw[j].(string), 10, 64)
				entries = append(entries, s)
			}
			got.Entries = append(got.Entries, entries)
			if len(entries) > 0 && got.Allowed && v.Cost > 0 {
				if pttl := c.mustDo(t, "PTTL", keys[i]).(int64); pttl <= 0 || pttl > v.Policies[i].WindowMS {
					t.Errorf("%s: PTTL %d", v.Name, pttl)
				}
			}
		}
		if !slicesEqualJSON(got, v.Expect) {
			t.Errorf("%s: script %+v, golden %+v", v.Name, got, v.Expect)
		}
	}
}
