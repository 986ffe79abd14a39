package server

import (
	"context"
	"net"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestServeStopsWithContext(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- New(Options{}).Serve(ctx, b) }()
	cancel()
	select {
	case code := <-done:
		if code != 1 {
			t.Errorf("exit code %d without shutdown, want 1", code)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Serve did not return after its context ended")
	}
}

func TestNoBackgroundWorkAfterServe(t *testing.T) {
	s := New(Options{Logger: zap.NewNop()})
	a, b := net.Pipe()
	a.Close()
	s.Serve(context.Background(), b)
	ran := false
	s.goBackground(func(context.Context) { ran = true })
	s.bgWG.Wait()
	if ran {
		t.Error("background work started after Serve returned")
	}
}
