package logline

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index"
)

const libsDir = "../../testdata/libs"

// scenarioLevels are the levels the producers of testdata/libs log their
// non-error lines at (scripts/corpora/libs: every producer runs the same
// orders service; "order not found" is logged by those that log a warning).
var scenarioLevels = map[string]string{
	"listening":         index.LevelInfo,
	"request started":   index.LevelInfo,
	"request completed": index.LevelInfo,
	"order not found":   index.LevelWarn,
}

// accessPrefix starts the access lines of the producers that log one per
// request through a middleware (express-winston: "HTTP GET /api/orders/7
// 404 1ms"): info, whatever the status.
const accessPrefix = "HTTP "

// untyped are the files whose library has no levels and names its lines by
// message types (eliot: "orders:request_started"), so only times are checked.
var untyped = map[string]bool{"python-eliot.log": true}

// TestLibraryLevels reads every line of each library's output with the
// mapping detected from its first lines, as ingest does with no flags, and
// checks that each line has a time and that the scenario's info and warning
// lines get their level: TestLibraryCorpora checks the error lines.
func TestLibraryLevels(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(libsDir, "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no library output in %s (%v)", libsDir, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			lines := readLines(t, f)
			m, err := Detect(lines[:min(len(lines), 100)], nil)
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for i, l := range lines {
				var ev index.Event
				m.Parse(l, &ev)
				if ev.Time.IsZero() {
					t.Errorf("line %d: no time", i+1)
				}
				want, ok := scenarioLevels[ev.Message]
				if !ok && strings.HasPrefix(ev.Message, accessPrefix) {
					want, ok = index.LevelInfo, true
				}
				if !ok || untyped[filepath.Base(f)] {
					continue
				}
				seen++
				if ev.Level != want {
					t.Errorf("line %d %q: level %q, want %q", i+1, ev.Message, ev.Level, want)
				}
			}
			if seen < 8 && !untyped[filepath.Base(f)] {
				t.Errorf("only %d lines with a scenario message (request started/completed...): messages not read", seen)
			}
		})
	}
}
