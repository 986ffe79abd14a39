package scaffold

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python is Debian's interpreter, where python3-redis and the frameworks live.
const python = "/usr/bin/python3"

// TestPython renders the Python module with Write into a temp project, starts
// a redis-server and runs each pytests/test_*.py file with unittest against
// the rendered copy, so what is tested is exactly what users get.
func TestPython(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", python, err)
		}
		t.Skipf("SKIPPING: %s not found", python)
	}
	if out, err := exec.Command(python, "-c", "import redis.asyncio").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-redis is required in CI: %v\n%s", err, out)
		}
		t.Skipf("SKIPPING: python3-redis not installed: %s", out)
	}
	srv := startRedis(t)
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, "requirements.txt"), []byte("flask\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(project, "python", false); err != nil {
		t.Fatal(err)
	}
	pytests, _ := filepath.Abs("pytests")
	vectors, _ := filepath.Abs(vectorsPath)
	lua, _ := filepath.Abs(scriptPath)
	files, _ := filepath.Glob(filepath.Join(pytests, "test_*.py"))
	if len(files) == 0 {
		t.Fatal("no python tests found")
	}
	for _, f := range files {
		mod := strings.TrimSuffix(filepath.Base(f), ".py")
		t.Run(mod, func(t *testing.T) {
			cmd := exec.Command(python, "-W", "ignore::DeprecationWarning", "-m", "unittest", "-v", mod)
			cmd.Dir = pytests
			cmd.Env = append(os.Environ(),
				"PYTHONPATH="+project+string(os.PathListSeparator)+pytests,
				"PYTHONDONTWRITEBYTECODE=1",
				"STABLESTACK_TEST_REDIS_URL=redis://"+srv.Addr+"/0",
				"STABLESTACK_TEST_VECTORS="+vectors,
				"STABLESTACK_TEST_LUA="+lua,
			)
			var buf bytes.Buffer
			if testing.Verbose() {
				cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
			} else {
				cmd.Stdout = &buf
			}
			cmd.Stderr = cmd.Stdout
			if err := cmd.Run(); err != nil {
				if !testing.Verbose() {
					t.Log(buf.String())
				}
				t.Fatalf("python -m unittest %s: %v", mod, err)
			}
			if strings.Contains(buf.String(), "skipped") && os.Getenv("CI") == "true" {
				t.Fatalf("python tests skipped in CI:\n%s", buf.String())
			}
		})
	}
}
