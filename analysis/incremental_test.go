package analysis

import (
	"math/rand"
	"testing"
)

func TestPlanSpliceSingleEditInsideOneUnit(t *testing.T) {
	// Units at [0,10) [20,30) [40,50) [60,70) [80,90); edit inside the third.
	units := []Span{{0, 10}, {20, 30}, {40, 50}, {60, 70}, {80, 90}}
	s, ok := PlanSplice(units, []Edit{{Start: 45, OldEnd: 45, NewEnd: 48}}, 93)
	if !ok {
		t.Fatal("no splice")
	}
	want := Splice{First: 1, Last: 4, Start: 20, End: 73, Delta: 3}
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
}

func TestPlanSpliceAtEdgesReachesFileEnds(t *testing.T) {
	units := []Span{{0, 10}, {20, 30}}
	s, _ := PlanSplice(units, []Edit{{Start: 5, OldEnd: 6, NewEnd: 5}}, 29)
	if s.First != 0 || s.Last != 2 || s.Start != 0 || s.End != 29 {
		t.Errorf("got %+v", s)
	}
	// No units at all (empty file): everything is the region.
	s, _ = PlanSplice(nil, []Edit{{Start: 0, OldEnd: 0, NewEnd: 4}}, 4)
	if s.First != 0 || s.Last != 0 || s.Start != 0 || s.End != 4 {
		t.Errorf("empty file: %+v", s)
	}
}

// TestPlanSpliceCoversEveryChange checks, for random edit sequences, that every
// byte outside the planned region is unchanged and maps to the old text by
// Delta, and that the units kept on each side lie outside the region.
func TestPlanSpliceCoversEveryChange(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 5000; iter++ {
		old := make([]byte, 50+rng.Intn(100))
		for i := range old {
			old[i] = byte('a' + rng.Intn(26))
		}
		var units []Span
		for p := rng.Intn(5); p < len(old); {
			end := p + 1 + rng.Intn(10)
			if end > len(old) {
				end = len(old)
			}
			units = append(units, Span{p, end})
			p = end + rng.Intn(6)
		}
		cur := append([]byte(nil), old...)
		var edits []Edit
		for k := 0; k < 1+rng.Intn(4); k++ {
			s := rng.Intn(len(cur) + 1)
			e := s + rng.Intn(min(8, len(cur)-s)+1)
			ins := make([]byte, rng.Intn(6))
			for i := range ins {
				ins[i] = 'A' + byte(rng.Intn(3))
			}
			cur = append(append(append([]byte(nil), cur[:s]...), ins...), cur[e:]...)
			edits = append(edits, Edit{Start: s, OldEnd: e, NewEnd: s + len(ins)})
		}
		sp, ok := PlanSplice(units, edits, len(cur))
		if !ok {
			t.Fatal("no splice")
		}
		if sp.Start < 0 || sp.End > len(cur) || sp.Start > sp.End {
			t.Fatalf("bad region %+v for len %d", sp, len(cur))
		}
		if len(cur)-len(old) != sp.Delta {
			t.Fatalf("delta %d, want %d", sp.Delta, len(cur)-len(old))
		}
		// Prefix before Start is unchanged.
		for i := 0; i < sp.Start; i++ {
			if cur[i] != old[i] {
				t.Fatalf("iter %d: byte %d before region changed (%+v, edits %+v)", iter, i, sp, edits)
			}
		}
		// Suffix after End is unchanged, shifted by Delta.
		for i := sp.End; i < len(cur); i++ {
			if cur[i] != old[i-sp.Delta] {
				t.Fatalf("iter %d: byte %d after region changed (%+v, edits %+v)", iter, i, sp, edits)
			}
		}
		for i, u := range units {
			if i < sp.First && u.End > sp.Start {
				t.Fatalf("kept unit %d %+v overlaps region %+v", i, u, sp)
			}
			if i >= sp.Last && u.Start+sp.Delta < sp.End {
				t.Fatalf("kept unit %d %+v overlaps region %+v", i, u, sp)
			}
		}
	}
}
