package testenv

import "testing"

func TestStartRedisAnswersPing(t *testing.T) {
	r := StartRedis(t)
	if err := Ping(r.Addr); err != nil {
		t.Fatal(err)
	}
	if FreePort(t) == r.Port {
		t.Error("FreePort returned the running server's port")
	}
}
