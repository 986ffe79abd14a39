package check

import "testing"

func TestRebaseGlob(t *testing.T) {
	for _, tc := range []struct {
		pat, prefix, want string
		ok                bool
	}{
		{"migrations", "src", "migrations", true},   // bare names match anywhere
		{"*.pb.py", "src", "*.pb.py", true},         //
		{"src/gen/**", "src", "/gen/**", true},      // anchored, rebased
		{"./src/gen/", "src", "/gen/", true},        //
		{"/src/gen/x.py", "src", "/gen/x.py", true}, //
		{"src/**", "src", "/**", true},              //
		{"src/*/gen", "src/a", "/gen", true},        // wildcard segment
		{"src", "src/a", "src", true},               // bare name
		{"src/", "src/a", "src/", true},             // bare directory name
		{"lib/gen/**", "src", "", false},            // another directory
		{"src/gen", "src/gen/deep", "**", true},     // the walk root itself is excluded
		{"**/gen/**", "src", "/**/gen/**", true},    // any depth
		{"src/gen/**", "", "", false},               // walk root outside the config's directory
		{"a/b/c/d.py", "a/b", "/c/d.py", true},      //
		{"a/*/c/d.py", "a/x", "/c/d.py", true},      //
		{"a/?/c/d.py", "a/xy", "", false},           //
	} {
		got, ok := rebaseGlob(tc.pat, tc.prefix)
		if got != tc.want || ok != tc.ok {
			t.Errorf("rebaseGlob(%q, %q) = %q, %v; want %q, %v", tc.pat, tc.prefix, got, ok, tc.want, tc.ok)
		}
	}
}
