package query

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest"
)

// libsDir holds real output of logging libraries that testdata/formats does
// not cover, one orders service per library (scripts/corpora/libs).
const libsDir = "../testdata/libs"

// libExpect is one entry of testdata/libs/expected.json, written from what
// the producer did, not from culprit's output.
type libExpect struct {
	File      string   `json:"file"`
	Ecosystem string   `json:"ecosystem"`
	Library   string   `json:"library"`
	Requests  []string `json:"requests"` // the two requests that hit the same bug
	Level     string   `json:"level"`
	Time      string   `json:"time"`
	Message   string   `json:"message"`
	// ErrorType is "" when the record names no type (Go errors): then the
	// type is not checked.
	ErrorType    string `json:"error_type"`
	ErrorMessage string `json:"error_message"`
	Function     string `json:"function"` // the stack's top in-app function
	Service      string `json:"service"`  // "" when the record names none
}

func readLibExpect(t *testing.T) []libExpect {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(libsDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exps []libExpect
	if err := json.Unmarshal(data, &exps); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	if len(exps) == 0 {
		t.Fatal("expected.json lists no file")
	}
	return exps
}

// TestLibraryCorpora ingests each library's output with no flags, as a user
// who never told culprit which logger wrote it, and investigates the first
// failing request: it must be found, its error read whole (level, time,
// message, type, error message, the top in-app frame of its stack) and
// grouped with the same bug in the other request.
func TestLibraryCorpora(t *testing.T) {
	exps := readLibExpect(t)
	files, err := filepath.Glob(filepath.Join(libsDir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, e := range exps {
		listed[e.File] = true
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s has no entry in expected.json", f)
		}
	}
	for _, e := range exps {
		t.Run(strings.TrimSuffix(e.File, ".log"), func(t *testing.T) { checkLibrary(t, e) })
	}
}

func checkLibrary(t *testing.T, e libExpect) {
	if len(e.Requests) < 2 || e.Time == "" || e.Message == "" || e.ErrorMessage == "" || e.Function == "" {
		t.Fatalf("expected.json entry for %s is incomplete: %+v", e.File, e)
	}
	want, err := time.Parse(time.RFC3339Nano, e.Time)
	if err != nil {
		t.Fatalf("expected time: %v", err)
	}
	path := filepath.Join(libsDir, e.File)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(t.TempDir(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	sink, err := ingest.NewIndexSink(ix)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(t.Context(), ingest.Options{Paths: []string{path}}, sink)
	if cerr := sink.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if len(sum.Sources) == 1 {
		s := sum.Sources[0]
		t.Logf("%s (%s): convention %q, mapping %v", e.Library, e.Ecosystem, s.Convention, s.Fields)
	}

	inv := New(ix, Options{})
	r, err := inv.Request(t.Context(), e.Requests[0])
	if err != nil {
		t.Fatalf("request %s: %v", e.Requests[0], err)
	}
	if !r.Found {
		t.Fatalf("request %s not found (hint %q)", e.Requests[0], r.Hint)
	}
	if r.Error == nil {
		t.Fatalf("request %s: no error found among its %d events", e.Requests[0], len(r.Events))
	}
	var ev *ReportEvent
	for i := range r.Events {
		if r.Events[i].Source == r.Error.Source {
			ev = &r.Events[i]
		}
	}
	if ev == nil {
		t.Fatalf("the root error's line %s is not among the request's events", r.Error.Source)
	}
	if ev.Level != e.Level {
		t.Errorf("error line %s: level %q, want %q", r.Error.Source, ev.Level, e.Level)
	}
	if !r.Error.Time.Equal(want) {
		t.Errorf("error line %s: time %s, want %s", r.Error.Source, r.Error.Time.UTC().Format(time.RFC3339Nano), e.Time)
	}
	if ev.Message != e.Message {
		t.Errorf("error line %s: message %q, want %q", r.Error.Source, ev.Message, e.Message)
	}
	if e.ErrorType != "" && r.Error.Type != e.ErrorType {
		t.Errorf("error type %q, want %q", r.Error.Type, e.ErrorType)
	}
	if r.Error.Message != e.ErrorMessage {
		t.Errorf("error message %q, want %q", r.Error.Message, e.ErrorMessage)
	}
	if f := culpritText(r.Error.Stack); !containsIdent(f, e.Function) {
		t.Errorf("top in-app frame %q, want function %s (stack %d bytes)", f, e.Function, len(r.Error.Stack))
	}
	if e.Service != "" && r.Error.Service != e.Service {
		t.Errorf("service %q, want %q", r.Error.Service, e.Service)
	}
	if r.Group == nil || r.Group.Count < 2 {
		t.Errorf("group %+v: want the bug's two occurrences in one group", r.Group)
	}
	r2, err := inv.Request(t.Context(), e.Requests[1])
	if err != nil {
		t.Fatalf("request %s: %v", e.Requests[1], err)
	}
	switch {
	case !r2.Found || r2.Error == nil:
		t.Errorf("second occurrence: request %s found %v, error %v", e.Requests[1], r2.Found, r2.Error != nil)
	case r2.Error.Fingerprint != r.Error.Fingerprint || r.Error.Fingerprint == "":
		t.Errorf("fingerprints %q (%s) and %q (%s): the same bug is not one group",
			r.Error.Fingerprint, e.Requests[0], r2.Error.Fingerprint, e.Requests[1])
	}
}

// containsIdent reports whether name occurs in frame as a whole identifier.
func containsIdent(frame, name string) bool {
	isIdent := func(b byte) bool {
		return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(frame[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !isIdent(frame[j-1])) && (end == len(frame) || !isIdent(frame[end])) {
			return true
		}
		i = j + 1
	}
}
