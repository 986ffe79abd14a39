package server

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestHeapFloorTarget(t *testing.T) {
	h := &HeapFloor{floor: 16 << 20, percent: 50}
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},        // nothing live yet: the runtime's minimum, scaled, is the floor
		{1 << 20, 400},  // (16-1)/1 would be 1500%, but 4 MiB x 15 overshoots
		{4 << 20, 300},  // 4 MiB live + 300% = 16 MiB
		{5 << 20, 220},  // 5 + 220% = 16
		{8 << 20, 100},  // 8 + 100% = 16
		{10 << 20, 60},  // 10 + 60% = 16
		{11 << 20, 50},  // 11 + 50% = 16.5: GOGC as configured
		{16 << 20, 50},  // at the floor
		{100 << 20, 50}, // large heaps are untouched
	} {
		if got := h.target(c.live); got != c.want {
			t.Errorf("live %d KiB: GOGC %d, want %d", c.live>>10, got, c.want)
		}
	}
}

// The policy follows the live heap from one real collection to the next:
// raised while little is live, back to the configured percentage once the
// live data alone passes the floor.
func TestHeapFloorFollowsTheLiveHeap(t *testing.T) {
	gogc := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	waitFor := func(what string, ok func(uint64) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok(gogc()) {
			if time.Now().After(deadline) {
				t.Fatalf("GOGC stayed %d; want %s", gogc(), what)
			}
			runtime.GC() // the policy acts after a collection
			time.Sleep(time.Millisecond)
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	h := StartHeapFloor(64<<20, 50)
	defer h.Stop()
	waitFor("raised above 50 with little live data", func(p uint64) bool { return p > 50 })

	ballast := make([][]byte, 0, 96)
	for range 96 {
		ballast = append(ballast, make([]byte, 1<<20))
	}
	waitFor("50 with 96 MiB live", func(p uint64) bool { return p == 50 })
	runtime.KeepAlive(ballast)
	ballast = nil

	waitFor("raised again once the data is garbage", func(p uint64) bool { return p > 50 })
}
