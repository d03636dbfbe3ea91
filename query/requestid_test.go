package query

import (
	"slices"
	"testing"
)

func TestRecognizeRequestID(t *testing.T) {
	const u = "5bf30827-69f0-482e-a60e-662708dc4a1b"
	cases := []struct {
		in     string
		id     string // "" : not an ID
		strong bool
	}{
		{u, u, true},
		{"5BF30827-69F0-482E-A60E-662708DC4A1B", "5BF30827-69F0-482E-A60E-662708DC4A1B", true},
		{"  '" + u + "', ", u, true},
		{"the request " + u + " failed for a customer", u, true},
		{"X-Request-Id: abc-7781", "abc-7781", true},
		{"x-request-id:abc7781", "abc7781", true},
		{"request_id=q9w8e7 status=500", "q9w8e7", true},
		{`{"level":"error","requestId": "zz-991","msg":"boom"}`, "zz-991", true},
		{"https://shop.example/orders?x=1&request_id=A1B2C3D4&y=2", "A1B2C3D4", true},
		{"https://logs.example/search?correlation_id=c-55d", "c-55d", true},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAV", true},
		{"see 01arz3ndektsv4rrffq69g5fav now", "01arz3ndektsv4rrffq69g5fav", true},
		{"4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736", true},
		{"req_8f3k2", "req_8f3k2", true},
		{"user said r-123 broke", "r-123", true},
		{"app-89c3e13e97093c9a", "app-89c3e13e97093c9a", true},
		{"the request app-89c3e13e97093c9a failed", "app-89c3e13e97093c9a", true},
		{"https://shop.example/api/orders/" + u, u, true},
		{"—" + u + "—", u, true},
		{"abc123def", "abc123def", false},
		// Not IDs: searches, which keep their quotes and parentheses.
		{"timeout", "", false},
		{"foo:bar", "", false},
		{`"card declined"`, "", false},
		{"(timeout OR refused) service:orders", "", false},
		{"status:>=500", "", false},
		{"connection refused", "", false},
		{"request-failed", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		m, ok := RecognizeRequestID(c.in)
		if ok != (c.id != "") || m.ID != c.id || (ok && m.Strong != c.strong) {
			t.Errorf("RecognizeRequestID(%q) = %+v, %v; want %q strong=%v", c.in, m, ok, c.id, c.strong)
		}
	}
}

func TestRequestIDVariants(t *testing.T) {
	cases := map[string][]string{
		"5BF30827-69F0-482E-A60E-662708DC4A1B": {"5BF30827-69F0-482E-A60E-662708DC4A1B", "5bf30827-69f0-482e-a60e-662708dc4a1b"},
		"5bf30827-69f0-482e-a60e-662708dc4a1b": {"5bf30827-69f0-482e-a60e-662708dc4a1b", "5BF30827-69F0-482E-A60E-662708DC4A1B"},
		"Req-ABC1":                             {"Req-ABC1"}, // an opaque ID's case is its own
	}
	for in, want := range cases {
		if got := RequestIDVariants(in); !slices.Equal(got, want) {
			t.Errorf("RequestIDVariants(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRecognizeRequestID(f *testing.F) {
	for _, s := range []string{"X-Request-Id: abc-1", `{"request_id":"x1"}`, "5bf30827-69f0-482e-a60e-662708dc4a1b", "a=b=c", "\x1b[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := RecognizeRequestID(s)
		if !ok {
			return
		}
		if m.ID == "" || len(m.ID) > len(s) {
			t.Fatalf("RecognizeRequestID(%q) = %q: an ID must be a non-empty part of the input", s, m.ID)
		}
	})
}
