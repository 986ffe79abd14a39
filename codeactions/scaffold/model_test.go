package scaffold

// The pure reference model of templates/sliding_window.lua. It defines the
// outputs by their meaning rather than by the script's closed forms: retry_after
// is found by binary search for the first millisecond at which the request is
// admitted, reset by the first millisecond at which the estimate is zero. The
// golden vectors check the script (on a real Redis) against this model. Exact
// int64 arithmetic; the script uses Lua doubles, which agree while
// limit*window_ms < 2^53.

// windowState is the hash stored under one policy key.
type windowState struct {
	I int64 `json:"i"` // window index (now_ms / window_ms)
	C int64 `json:"c"` // requests counted in window I
	P int64 `json:"p"` // requests counted in window I-1
}

type modelPolicy struct {
	Limit    int64        `json:"limit"`
	WindowMS int64        `json:"window_ms"`
	State    *windowState `json:"state"`
}

type modelResult struct {
	Allowed      bool           `json:"allowed"`
	RetryAfterMS int64          `json:"retry_after_ms"`
	Remaining    []int64        `json:"remaining"`
	ResetMS      []int64        `json:"reset_ms"`
	State        []*windowState `json:"state"`
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// view is a stored state seen at time t: the counts of the window containing t
// and of the one before, and the elapsed milliseconds e in t's window.
type view struct{ i, e, c, p int64 }

func viewAt(s *windowState, t, w int64) view {
	i := floorDiv(t, w)
	v := view{i: i, e: t - i*w}
	if s != nil {
		switch s.I {
		case i:
			v.c, v.p = s.C, s.P
		case i - 1:
			v.p = s.C
		}
	}
	return v
}

// weighted is the estimate times w: p*(w-e) + c*w.
func (v view) weighted(w int64) int64 { return v.p*(w-v.e) + v.c*w }

func admits(pol modelPolicy, t, cost int64) bool {
	return viewAt(pol.State, t, pol.WindowMS).weighted(pol.WindowMS)+cost*pol.WindowMS <= pol.Limit*pol.WindowMS
}

// firstTrue returns the smallest d in [0, hi] with f(d), for f monotonic
// (false...true); the estimate never grows without writes, so both searches are.
func firstTrue(hi int64, f func(int64) bool) int64 {
	lo := int64(0)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if f(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// evaluate applies one request of the given cost at nowMS to all policies.
func evaluate(nowMS, cost int64, policies []modelPolicy) modelResult {
	res := modelResult{Allowed: true}
	for _, pol := range policies {
		if admits(pol, nowMS, cost) {
			continue
		}
		res.Allowed = false
		r := pol.WindowMS // the script's answer for a cost no window can admit
		if cost <= pol.Limit {
			r = firstTrue(2*pol.WindowMS, func(d int64) bool { return admits(pol, nowMS+d, cost) })
		}
		res.RetryAfterMS = max(res.RetryAfterMS, r)
	}
	for _, pol := range policies {
		w := pol.WindowMS
		state := pol.State
		if res.Allowed && cost > 0 {
			v := viewAt(state, nowMS, w)
			state = &windowState{I: v.i, C: v.c + cost, P: v.p}
		}
		v := viewAt(state, nowMS, w)
		rem := max(floorDiv(pol.Limit*w-v.weighted(w), w), 0)
		reset := firstTrue(2*w, func(d int64) bool { return viewAt(state, nowMS+d, w).weighted(w) == 0 })
		res.Remaining = append(res.Remaining, rem)
		res.ResetMS = append(res.ResetMS, reset)
		res.State = append(res.State, state)
	}
	return res
}
