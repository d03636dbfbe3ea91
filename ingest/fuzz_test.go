package ingest

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzRun feeds arbitrary bytes through the whole pipeline (from stdin, with
// a small line limit) and checks that every line is accounted for once.
func FuzzRun(f *testing.F) {
	f.Add([]byte(jlines("a", 0, 3)))
	f.Add([]byte("text\r\n\n{\"msg\":\"\xff\"}\n   \n{\"time\":1764061200}"))
	f.Add([]byte(`{"level":"error","msg":"` + string(bytes.Repeat([]byte("é"), 40)) + `"}`))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	const maxLine = 64
	f.Fuzz(func(t *testing.T, data []byte) {
		sink := newFakeSink()
		sum, err := Run(t.Context(), Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data), MaxLine: maxLine}, sink)
		if err != nil {
			if failedPaths(err) == nil {
				t.Fatalf("Run: %v", err)
			}
			return // a broken gzip stream
		}
		if len(data) > 1 && data[0] == 0x1f && data[1] == 0x8b {
			return // decompressed: the line count is not the input's
		}
		lines := int64(bytes.Count(data, []byte{'\n'}))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		s := sum.Sources[0]
		if s.Lines != lines || s.Events > lines || int64(len(sink.events())) != s.Events {
			t.Fatalf("lines %d (want %d), events %d, stored %d", s.Lines, lines, s.Events, len(sink.events()))
		}
		prev := int64(0)
		for _, ev := range sink.events() {
			if ev.Line <= prev || ev.Line > lines {
				t.Fatalf("line %d after %d (of %d)", ev.Line, prev, lines)
			}
			prev = ev.Line
			if !utf8.Valid(ev.Raw) || len(ev.Raw) > 3*maxLine || len(ev.Raw) == 0 {
				t.Fatalf("line %d: Raw %q", ev.Line, ev.Raw)
			}
			if ev.Time.IsZero() {
				t.Fatalf("line %d has no time", ev.Line)
			}
		}
	})
}
