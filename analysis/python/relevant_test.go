package python

import "testing"

// TestVocabulary pins what counts as rate-limiting vocabulary, including the
// look-alikes that must not (a delimiter, the number 14290).
func TestVocabulary(t *testing.T) {
	yes := []string{
		"RATE_LIMIT = 100", "x = RateLimiter()", "raise HTTPException(status_code=429)",
		"HTTP_429_TOO_MANY_REQUESTS", `return "Too many requests"`, "MAX_ATTEMPTS = 5",
		"# a token bucket", "lockout = {}", "class Throttle:", "limiter.limit('1/s')",
		"rate-limit", "failed_logins = {}", "REQUESTS_PER_MINUTE = 10", "TooManyRequests",
		"simple_limiter = x", "RATELIMIT_STORAGE_URI = ''",
	}
	no := []string{
		"delimiter = ','", "x = 14290", "limit = 5", "attempts += 1", "max_size = 10",
		"requests.get(url)", "too many values to unpack", "locked = True", "bucket = s3.Bucket()",
	}
	for _, s := range yes {
		if !hasVocab([]byte(s)) {
			t.Errorf("hasVocab(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if hasVocab([]byte(s)) {
			t.Errorf("hasVocab(%q) = true, want false", s)
		}
	}
}

func TestRelevant(t *testing.T) {
	yes := []string{
		"from fastapi import FastAPI", "import flask", "from django.urls import path",
		"from .app import app\n\n@app.post('/x')\ndef f(): pass\n",
		"    @router.get('/x')\n", "app.add_url_rule('/x', view_func=v)", "MIDDLEWARE = []",
		"urlpatterns = []", "x = Depends(f)", "REST_FRAMEWORK = {'DEFAULT_THROTTLE_CLASSES': []}",
	}
	no := []string{
		"import os\nprint(os.path.join('a', 'b'))\n", "from django.db import models\n",
		"email = 'a@b.c'\n", "@property\ndef x(self): pass\n", "d.get('x')\n",
	}
	for _, s := range yes {
		if !Relevant([]byte(s)) {
			t.Errorf("Relevant(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if Relevant([]byte(s)) {
			t.Errorf("Relevant(%q) = true, want false", s)
		}
	}
}

// A route returning the number 4290 does not answer 429 (a bug found by the
// issue-2 benchmark, whose route 4290 was taken for protected).
func TestHas429(t *testing.T) {
	for s, want := range map[string]bool{
		"status_code=429": true, "abort(429)": true, `{"item": 4290}`: false, "14291": false, "429": true, "x=429,": true,
	} {
		if got := has429(s); got != want {
			t.Errorf("has429(%q) = %v, want %v", s, got, want)
		}
	}
}
