package prettyjson

import (
	"slices"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	raw := `{"time":"2025-11-25T15:05:57Z","level":"ERROR","msg":"panic <recovered>","n":12.50,"ok":true,"nil":null,` +
		`"stack":"goroutine 1 [running]:\nmain.f()\n\t/app/main.go:3","req":{"id":"r-1","tags":["a",1],"empty":{}},"list":[]}`
	got, err := Lines([]byte(raw), "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{`,
		`  "time": "2025-11-25T15:05:57Z"`,
		`  "level": "ERROR"`,
		`  "msg": "panic <recovered>"`,
		`  "n": 12.50`,
		`  "ok": true`,
		`  "nil": null`,
		`  "stack": |`,
		`    goroutine 1 [running]:`,
		`    main.f()`,
		"    \t/app/main.go:3",
		`  "req": {`,
		`    "id": "r-1"`,
		`    "tags": [`,
		`      "a"`,
		`      1`,
		`    ]`,
		`    "empty": {}`,
		`  }`,
		`  "list": []`,
		`}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Lines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLinesRejectsBadInput(t *testing.T) {
	for _, s := range []string{"", "{", `{"a":1} {"b":2}`, "not json", `{"a":}`, `[1,2`} {
		if ls, err := Lines([]byte(s), "  "); err == nil {
			t.Errorf("Lines(%q) = %q, want an error", s, ls)
		}
	}
}

func TestLinesDeepNesting(t *testing.T) {
	raw := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	ls, err := Lines([]byte(raw), " ")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) > 2*maxDepth+1 {
		t.Errorf("%d lines for 200 nested arrays, want at most %d (deep levels compacted)", len(ls), 2*maxDepth+1)
	}
}

func FuzzLines(f *testing.F) {
	f.Add([]byte(`{"a":"b\nc","d":[1,{"e":null}]}`))
	f.Add([]byte(`"x"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, err := Lines(b, "  ")
		if err != nil {
			return
		}
		for _, l := range ls {
			if strings.Contains(l, "\n") {
				t.Fatalf("line %q holds a newline", l)
			}
		}
	})
}
