package ingest

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// Lines without a time take the file's modification time only with a
// warning that counts them and names the --field time=... to pass.
func TestUntimedLinesAreExplained(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "jobs.log")
	writeFile(t, p, `{"level":"info","msg":"a","stamp":"2026-11-25T10:00:00Z"}
{"level":"info","msg":"b"}
{"level":"info","msg":"c"}
{"level":"info","msg":"d","stamp":"2026-11-25T10:00:03Z"}
{"level":"info","msg":"e"}
`)
	setOld(t, p)
	sum, err := Run(t.Context(), Options{Paths: []string{p}}, newFakeSink())
	if err != nil {
		t.Fatal(err)
	}
	s := sum.Sources[0]
	if s.Untimed != 5 || s.FallbackTimed != 5 {
		t.Fatalf("untimed %d, fallback %d; want 5 and 5", s.Untimed, s.FallbackTimed)
	}
	if !strings.Contains(s.TimeHint, "5 took the file's modification time") || !strings.Contains(s.TimeHint, "--field time=stamp") {
		t.Errorf("time hint %q, want it to count the lines and name --field time=stamp", s.TimeHint)
	}
	var out bytes.Buffer
	if err := sum.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "warning: 5 lines without a time: ") {
		t.Errorf("summary does not warn:\n%s", out.String())
	}

	// With the field given, nothing is untimed but the lines that lack it.
	sum, err = Run(t.Context(), Options{Paths: []string{p}, Fields: map[string]string{"time": "stamp"}}, newFakeSink())
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.Sources[0]; s.Untimed != 3 || s.FallbackTimed != 0 || !strings.Contains(s.TimeHint, "3 took the previous line's") {
		t.Errorf("with --field time=stamp: untimed %d, fallback %d, hint %q; want 3, 0 and a count of lines that took the previous time",
			s.Untimed, s.FallbackTimed, s.TimeHint)
	}
}

// --service names the service of lines that carry none; a line's own
// service, or a prefix's, still wins.
func TestServiceOption(t *testing.T) {
	in := `{"time":"2026-11-25T10:00:00Z","msg":"a"}
{"time":"2026-11-25T10:00:01Z","msg":"b","service":"billing"}
[pod/api-7c9f-x2/api] {"time":"2026-11-25T10:00:02Z","msg":"c"}
`
	sink := newFakeSink()
	if _, err := Run(t.Context(), Options{Paths: []string{"-"}, Stdin: strings.NewReader(in), Service: "checkout"}, sink); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range sink.events() {
		got = append(got, ev.Message+"="+ev.Service)
	}
	if want := "a=checkout b=billing c=api"; strings.Join(got, " ") != want {
		t.Errorf("services %q, want %q", strings.Join(got, " "), want)
	}
}
