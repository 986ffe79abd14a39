package python

import (
	"reflect"
	"testing"
)

func TestNamesInText(t *testing.T) {
	cases := map[string][]string{
		`@app.post("/login", dependencies=[Depends(RateLimiter(times=2, seconds=5))])`:   {"app.post", "Depends", "RateLimiter"},
		`@method_decorator(ratelimit(key="ip", rate="5/m"), name="post")`:                {"method_decorator", "ratelimit"},
		`[Middleware(RateLimitMiddleware, redis=os.environ["R"]), limiter.limit("1/s")]`: {"Middleware", "RateLimitMiddleware", "os.environ", "limiter.limit"},
		`f(r"a\"", b'x', f"{secret}", """doc "q" """, x == y, z=1) # comment name`:       {"f", "x", "y"},
		`a.b().c[d] if e else None`: {"a.b", "c", "d", "e"},
		`(x := 1.5e3) + 0x1F`:       {"x"},
	}
	for src, want := range cases {
		if got := namesInText([]byte(src), nil); !reflect.DeepEqual(got, want) {
			t.Errorf("namesInText(%s) = %v, want %v", src, got, want)
		}
	}
}

func TestDecoratorCall(t *testing.T) {
	d := decoratorCall([]byte(`@bp.route("/x, y", methods=("GET", 'post'), strict_slashes=False)  # note`))
	if d.callee != "bp.route" || !d.isCall || d.str(0, "rule") != "/x, y" || !reflect.DeepEqual(d.strings("methods"), []string{"GET", "post"}) {
		t.Errorf("route decorator: %+v", d)
	}
	if d := decoratorCall([]byte("@app.get(\n    path='/items',\n    response_model=Item,\n)")); d.str(0, "path") != "/items" {
		t.Errorf("keyword path: %+v", d)
	}
	if d := decoratorCall([]byte("@app.before_request")); d.callee != "app.before_request" || d.isCall {
		t.Errorf("bare decorator: %+v", d)
	}
	for _, src := range []string{"@handlers[0]", "@app.get('/x')(y)", "@f'x'", "@(lambda f: f)"} {
		if d := decoratorCall([]byte(src)); d.callee != "" {
			t.Errorf("%s: callee %q, want none", src, d.callee)
		}
	}
	if d := decoratorCall([]byte(`@app.get(f"/items/{x}")`)); d.str(0, "path") != "" {
		t.Errorf("f-string path read as literal: %+v", d)
	}
}
