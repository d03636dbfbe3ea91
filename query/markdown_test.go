package query

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func hostileReport() *Report {
	t0 := time.Date(2026, 11, 25, 17, 15, 43, 979_123_456, time.UTC)
	return &Report{
		RequestID:   "r-1",
		Found:       true,
		Services:    []string{"orders"},
		EventsTotal: 1,
		Events: []ReportEvent{{Time: t0, Service: "orders", Level: "error", Status: 500,
			Message: "boom | [click](http://evil) <img src=x> \x1b]52;c;aGk=\x07 `code`"}},
		Error: &RootError{Fingerprint: "fp1", Type: "panic", Message: "nil map\x1b[2J",
			Stack: "goroutine 586 [running]:\nmain.f()\n\t/app/main.go:10 +0x1\n```\nnot a fence end", Service: "orders", Time: t0},
		Group:         &Group{Fingerprint: "fp1", Count: 3, Requests: 3, FirstSeen: t0, LastSeen: t0, FirstRequestID: "r-0"},
		DeploysNearby: []DeployRef{{Time: t0.Add(-time.Minute), Service: "orders", Version: "1.9.0", Commit: "abc", OffsetSeconds: -60, Suspect: true}},
		BlastRadius:   &BlastRadius{EndpointsAffected: 1, EndpointsActive: 4, Scope: "single-endpoint", UserScope: "broad"},
		Verdict:       &Verdict{Cause: CauseDeployment, Summary: "orders 1.9.0 *broke* it", Evidence: []string{"e1 _x_"}, NextSteps: []string{"roll back"}},
	}
}

func TestWriteReportMarkdownSections(t *testing.T) {
	var b bytes.Buffer
	if err := WriteReportMarkdown(&b, hostileReport(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"# Request `r-1`: deployment regression", "## Verdict", "## Evidence", "## Root error",
		"Culprit frame: `main.f (", "## First occurrence", "## Deploys", "**suspect**", "## Blast radius", "## Timeline",
		"## Next steps", "1. roll back", "## Reproduce", "culprit request r-1", "culprit search 'fingerprint:\"fp1\"'"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("markdown carries a raw control character:\n%q", out)
	}
	for _, bad := range []string{"[click](", " <img", "| [", " *broke*"} {
		if strings.Contains(out, bad) {
			t.Errorf("log text reached Markdown unescaped (%q):\n%s", bad, out)
		}
	}
	// The stack's own ``` cannot close the fence: the fence is longer.
	if !strings.Contains(out, "````\nnil map") && !strings.Contains(out, "````\npanic: nil map") {
		t.Errorf("stack fence not longer than the backticks inside it:\n%s", out)
	}
	// A row of the timeline table has exactly the table's cells.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| 17:15:43.979") {
			if n := strings.Count(l, "|") - strings.Count(l, `\|`); n != 6 {
				t.Errorf("timeline row has %d cell separators, want 6: %s", n, l)
			}
		}
	}
}

func TestRootErrorCopyText(t *testing.T) {
	cases := []struct {
		name string
		e    RootError
		want string
	}{
		{"go dump gets the panic line first", RootError{Type: "panic", Message: "boom", Stack: "goroutine 5 [running]:\nmain.f()\n"},
			"panic: boom\n\ngoroutine 5 [running]:\nmain.f()"},
		{"java stack starts at the exception", RootError{Type: "java.lang.IllegalStateException", Message: "bad", Stack: "java.lang.IllegalStateException: bad\n\tat a.B.c(B.java:1)"},
			"java.lang.IllegalStateException: bad\n\tat a.B.c(B.java:1)"},
		{"no stack", RootError{Type: "E", Message: "m"}, "E: m"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.e.CopyText(); got != c.want {
				t.Errorf("CopyText() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"r-1": "r-1", "it's": `'it'\''s'`, "a b": "'a b'", "\x1b[2J": `'\x1b[2J'`} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
