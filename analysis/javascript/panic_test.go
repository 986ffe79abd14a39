package javascript

import (
	"fmt"
	"os"
	"testing"
)

// Every test fails on a panic the frontend contained (see safeSummarize).
func TestMain(m *testing.M) {
	panicHook = func(r any) { panic(fmt.Sprintf("contained panic in summarizeStatement: %v", r)) }
	os.Exit(m.Run())
}
