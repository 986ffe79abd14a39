package scaffold

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// TestBatchAgainstModel checks the script's batch form (a trailing ARGV m: m
// checks of the same policies in one call, see templates/sliding_window.lua): random
// batches of identities, repeats included, must get exactly the replies and
// leave exactly the states of m single checks made one after the other at the
// same instant, as the reference model computes them.
func TestBatchAgainstModel(t *testing.T) {
	c := connectRedis(t)
	script := string(mustReadTemplate(t, scriptPath))
	rng := rand.New(rand.NewSource(7))
	outcomes := map[bool]int{}
	for seq := 0; seq < 12; seq++ {
		n := 1 + rng.Intn(3) // policies per check: the one-policy path and the general one
		limits := make([]modelPolicy, n)
		for k := range limits {
			limits[k] = modelPolicy{Limit: int64(1 + rng.Intn(8)), WindowMS: int64([]int{500, 1000, 3000}[rng.Intn(3)])}
		}
		const identities = 4
		states := make([][]*windowState, identities) // the model's state per identity and policy
		for id := range states {
			states[id] = make([]*windowState, n)
		}
		now := int64(1700000000000 + rng.Intn(100000))
		for step := 0; step < 60; step++ {
			now += int64(rng.Intn(200))
			cost := int64(rng.Intn(3))
			m := 1 + rng.Intn(6)
			var keys []string
			var want []int64
			for j := 0; j < m; j++ {
				id := rng.Intn(identities)
				policies := make([]modelPolicy, n)
				for k := range policies {
					policies[k] = limits[k]
					policies[k].State = states[id][k]
					keys = append(keys, "batch"+strconv.Itoa(seq)+":{"+strconv.Itoa(id)+"}:"+strconv.Itoa(k))
				}
				r := evaluate(now, cost, policies)
				outcomes[r.Allowed]++
				copy(states[id], r.State)
				want = append(want, boolInt(r.Allowed), r.RetryAfterMS)
				for k := range policies {
					want = append(want, r.Remaining[k], r.ResetMS[k])
				}
			}
			args := []string{"EVAL", script, strconv.Itoa(len(keys))}
			args = append(args, keys...)
			args = append(args, strconv.FormatInt(cost, 10), strconv.FormatInt(now, 10))
			for _, p := range limits {
				args = append(args, strconv.FormatInt(p.Limit, 10), strconv.FormatInt(p.WindowMS, 10))
			}
			args = append(args, strconv.Itoa(m))
			got := scriptReply(t, c.mustDo(t, args...))
			if !slicesEqualJSON(got, want) {
				t.Fatalf("seq %d step %d (n %d, m %d, cost %d, now %d): script %v, model %v", seq, step, n, m, cost, now, got, want)
			}
			for id := range states {
				for k := range states[id] {
					key := "batch" + strconv.Itoa(seq) + ":{" + strconv.Itoa(id) + "}:" + strconv.Itoa(k)
					if s := readState(t, c, key); !slicesEqualJSON(s, states[id][k]) {
						t.Fatalf("seq %d step %d: %s holds %+v, model %+v", seq, step, key, s, states[id][k])
					}
				}
			}
		}
	}
	if outcomes[true] < 100 || outcomes[false] < 100 {
		t.Fatalf("batches too one-sided to test anything: %v", outcomes)
	}
}

// TestBatchArgumentMismatch: keys that do not divide into checks of the given
// policies are refused with an error, never half-evaluated.
func TestBatchArgumentMismatch(t *testing.T) {
	c := connectRedis(t)
	script := string(mustReadTemplate(t, scriptPath))
	for _, tc := range [][]string{
		{"3", "a:{x}:1", "a:{x}:2", "a:{x}:3", "1", "5", "10", "1000", "2"},    // 3 keys, m=2, n=1
		{"2", "a:{x}:1", "a:{x}:2", "1", "5", "10", "1000", "20"},              // 2 keys, m=20
		{"2", "a:{x}:1", "a:{x}:2", "1", "5", "10", "1000", "20", "1000", "x"}, // m not a number
		{"1", "a:{x}:1", "1", "5", "10"},                                       // half a policy
	} {
		_, err := c.do(append([]string{"EVAL", script}, tc...)...)
		if err == nil || !strings.Contains(err.Error(), "stablestack: ") {
			t.Errorf("%v: error %v, want the script's argument error", tc, err)
		}
		if n := c.mustDo(t, "EXISTS", "a:{x}:1", "a:{x}:2", "a:{x}:3").(int64); n != 0 {
			t.Fatalf("%v: a refused call wrote %d keys", tc, n)
		}
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
