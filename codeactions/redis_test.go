package codeactions

import (
	"bufio"
	"fmt"
	"github.com/stablestack/stablestack/internal/testenv"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The real-component helpers live in internal/testenv; these names keep the
// package's tests short.
func needTool(t testing.TB, name string) string { t.Helper(); return testenv.Tool(t, name) }
func missing(t testing.TB, why string)          { t.Helper(); testenv.Missing(t, why) }
func freePort(t testing.TB) int                 { t.Helper(); return testenv.FreePort(t) }
func startRedis(t testing.TB) string            { t.Helper(); return testenv.StartRedis(t).Addr }

// dbsize returns the number of keys in Redis database 0.
func dbsize(addr string) (int, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("*1\r\n$6\r\nDBSIZE\r\n")); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(line, ":") {
		return 0, fmt.Errorf("DBSIZE answered %q", line)
	}
	return strconv.Atoi(strings.TrimSpace(line[1:]))
}
