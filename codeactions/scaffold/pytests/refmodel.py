"""Pure reference model of the sliding-window script (Python twin of
model_test.go): retry_after and reset are defined by search, not by the
script's closed forms, so agreement means something."""


def view_at(state, t, w):
    i = t // w
    e = t - i * w
    c = p = 0
    if state is not None:
        if state["i"] == i:
            c, p = state["c"], state["p"]
        elif state["i"] == i - 1:
            p = state["c"]
    return i, e, c, p


def weighted(state, t, w):
    _, e, c, p = view_at(state, t, w)
    return p * (w - e) + c * w


def admits(policy, t, cost):
    w = policy["window_ms"]
    return weighted(policy["state"], t, w) + cost * w <= policy["limit"] * w


def first_true(hi, f):
    lo = 0
    while lo < hi:
        mid = (lo + hi) // 2
        if f(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def evaluate(now, cost, policies):
    allowed, retry = True, 0
    for pol in policies:
        if admits(pol, now, cost):
            continue
        allowed = False
        r = pol["window_ms"]
        if cost <= pol["limit"]:
            r = first_true(2 * pol["window_ms"], lambda d, pol=pol: admits(pol, now + d, cost))
        retry = max(retry, r)
    out = {"allowed": allowed, "retry_after_ms": retry, "remaining": [], "reset_ms": [], "state": []}
    for pol in policies:
        w, state = pol["window_ms"], pol["state"]
        if allowed and cost > 0:
            i, _, c, p = view_at(state, now, w)
            state = {"i": i, "c": c + cost, "p": p}
        rem = max((pol["limit"] * w - weighted(state, now, w)) // w, 0)
        reset = first_true(2 * w, lambda d, s=state: weighted(s, now + d, w) == 0)
        out["remaining"].append(rem)
        out["reset_ms"].append(reset)
        out["state"].append(state)
    return out


def live(entries, t, w):
    return sorted(s for s in entries if t - s < w)


def evaluate_log(now, cost, policies):
    """Reference model of the exact sliding log (sliding_log.lua)."""
    allowed, retry = True, 0
    for pol in policies:
        admits = lambda d, pol=pol: len(live(pol["entries"] or [], now + d, pol["window_ms"])) + cost <= pol["limit"]
        if admits(0):
            continue
        allowed = False
        r = pol["window_ms"]
        if cost <= pol["limit"]:
            r = first_true(pol["window_ms"], admits)
        retry = max(retry, r)
    out = {"allowed": allowed, "retry_after_ms": retry, "remaining": [], "reset_ms": [], "entries": []}
    for pol in policies:
        w = pol["window_ms"]
        entries = live(pol["entries"] or [], now, w)
        if allowed:
            entries += [now] * cost
        out["remaining"].append(max(pol["limit"] - len(entries), 0))
        out["reset_ms"].append(first_true(w, lambda d, e=entries: not live(e, now + d, w)))
        out["entries"].append(entries)
    return out
