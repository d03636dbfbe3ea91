package tui

import (
	"bytes"
	"strings"
	"testing"
)

// The frame log (a benchmark's aid) writes one line per handled message,
// once its frame is drawn, and names keys and screens.
func TestFrameLog(t *testing.T) {
	f := newFake()
	m := started(t, f, 100, 30)
	var buf bytes.Buffer
	var tm = frameLog{m: m, log: &frameSink{w: &buf}}
	next, _ := tm.Update(keyPress("down"))
	if buf.Len() != 0 {
		t.Fatalf("a line was written before the frame was drawn: %q", buf.String())
	}
	next.View()
	next.View() // a second View without a message writes nothing more
	next, _ = next.Update(openExploreMsg{query: "probe"})
	next.View()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	for i, want := range [][]string{{"key", "home", "down"}, {"msg", "explore", "tui.openExploreMsg"}} {
		fields := strings.Split(lines[i], "\t")
		if len(fields) != 7 || fields[0] != want[0] || fields[1] != want[1] || fields[2] != want[2] {
			t.Errorf("line %d = %q, want it to start %q", i, lines[i], want)
		}
	}
	if !next.(frameLog).m.home.listFocus {
		t.Error("the key did not reach the wrapped model")
	}
}
