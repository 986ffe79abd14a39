package server

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// HeapFloor is the server's garbage collection policy: collect when the
// heap has grown by percent (GOGC) over the live data, but never before it
// reaches floor bytes.
//
// The server keeps the heap small with a low GOGC (the peak resident size
// of a 30,000-line file is a target, and tree-sitter's C memory sits on top
// of the Go heap). But with a few MB of live data a low GOGC means a
// collection every 1-2 MB of allocation: opening a 1,000-route file ran
// about ten collections, each taking a share of the two cores the parallel
// open needs, and cost 5-8 ms of the user's wait for the first diagnostics.
// Go has no minimum heap setting, so after every collection the policy
// reads the live heap and raises GOGC until the next target is at least the
// floor; once the live data is large, percent applies unchanged and memory
// is what it was.
type HeapFloor struct {
	floor   uint64
	percent int
	stopped atomic.Bool
	sample  []metrics.Sample // used only by the cleanup goroutine
}

// sentinel is garbage on purpose: its cleanup runs after the collection
// that frees it. It holds a pointer so it is never a tiny allocation, whose
// cleanups may not run.
type sentinel struct {
	_ *byte
	_ [8]byte
}

// heapMinimum is the runtime's smallest heap target at GOGC=100; it
// scales with GOGC, which bounds how far raising GOGC may go before the
// minimum alone overshoots the floor.
const heapMinimum = 4 << 20

// StartHeapFloor applies the policy from now on, starting with percent.
func StartHeapFloor(floor uint64, percent int) *HeapFloor {
	h := &HeapFloor{floor: floor, percent: percent, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	debug.SetGCPercent(h.target(0))
	h.arm()
	return h
}

// Stop ends the policy and puts GOGC back to percent.
func (h *HeapFloor) Stop() {
	h.stopped.Store(true)
	debug.SetGCPercent(h.percent)
}

func (h *HeapFloor) arm() {
	runtime.AddCleanup(&sentinel{}, func(h *HeapFloor) { h.collected() }, h)
}

// collected runs after each collection (on the runtime's cleanup
// goroutine): set GOGC for the next cycle and wait for the one after.
func (h *HeapFloor) collected() {
	if h.stopped.Load() {
		return
	}
	metrics.Read(h.sample)
	var live uint64
	if h.sample[0].Value.Kind() == metrics.KindUint64 {
		live = h.sample[0].Value.Uint64()
	}
	debug.SetGCPercent(h.target(live))
	h.arm()
}

// target is the GOGC that puts the next collection at the floor, or
// percent when that comes later anyway.
func (h *HeapFloor) target(live uint64) int {
	ceiling := max(h.percent, int(h.floor*100/heapMinimum))
	if live == 0 {
		return ceiling
	}
	if live+live*uint64(h.percent)/100 >= h.floor {
		return h.percent
	}
	return max(h.percent, min(ceiling, int((h.floor-live)*100/live)))
}
