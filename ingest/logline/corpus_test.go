package logline

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

const (
	formatsDir = "../../testdata/formats"
	stacksDir  = "../../testdata/stacks"
)

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var lines [][]byte
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines
}

// expectation is one entry of testdata/formats/expected.json.
type expectation struct {
	File       string            `json:"file"`
	Convention string            `json:"convention"`
	Fields     map[string]string `json:"fields"`
	Checks     []map[string]any  `json:"checks"`
}

// extraFields are fields culprit maps that expected.json does not list,
// knowingly: Lambda's platform.report lines carry the invocation's duration,
// and its structured messages the user ({"msg":..,"userId":"u-1017"}), found
// by the key's name and value shape.
var extraFields = map[string]bool{
	"lambda.jsonl duration": true,
	"lambda.jsonl user":     true,
}

// TestFormats detects every corpus of real (or spec-built) logger output
// and checks the mapping and the listed lines against expected.json.
func TestFormats(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(formatsDir, "expected.json"))
	if err != nil {
		t.Fatalf("the committed format corpus: %v", err)
	}
	var exps []expectation
	if err := json.Unmarshal(data, &exps); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(formatsDir, "*.jsonl"))
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
		t.Run(strings.TrimSuffix(e.File, ".jsonl"), func(t *testing.T) {
			lines := readLines(t, filepath.Join(formatsDir, e.File))
			sample := lines
			if len(sample) > 100 {
				sample = sample[:100]
			}
			m, err := Detect(sample, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.Convention != e.Convention {
				t.Errorf("convention = %q, want %q", m.Convention, e.Convention)
			}
			got := m.Fields()
			for f, want := range e.Fields {
				if got[f] != want {
					t.Errorf("field %s = %q, want %q", f, got[f], want)
				}
			}
			for f, path := range got {
				if _, ok := e.Fields[f]; !ok && !extraFields[e.File+" "+f] {
					t.Errorf("field %s = %q, expected.json maps no %s", f, path, f)
				}
			}
			for _, c := range e.Checks {
				n := int(c["line"].(float64))
				if n < 1 || n > len(lines) {
					t.Errorf("%s has %d lines, expected.json checks line %d", e.File, len(lines), n)
					continue
				}
				var ev index.Event
				m.Parse(lines[n-1], &ev)
				checkExpected(t, e.File, n, c, &ev)
			}
			// Every line parses as JSON with a time.
			for i, l := range lines {
				var ev index.Event
				m.Parse(l, &ev)
				if ev.Text || ev.Time.IsZero() {
					t.Errorf("%s:%d: text %v, time %v", e.File, i+1, ev.Text, ev.Time)
				}
			}
		})
	}
}

func checkExpected(t *testing.T, file string, n int, c map[string]any, ev *index.Event) {
	t.Helper()
	for k, want := range c {
		var got any
		switch k {
		case "line":
			continue
		case "time":
			got = ev.Time.UTC().Format(time.RFC3339Nano)
		case "level":
			got = ev.Level
		case "request_id":
			got = ev.RequestID
		case "status":
			got = float64(ev.Status)
		case "method":
			got = ev.Method
		case "path":
			got = ev.Path
		case "user":
			got = ev.User
		case "service":
			got = ev.Service
		case "error":
			got = ev.Error
		case "error_type":
			got = ev.ErrorType
		case "stack_contains":
			if !strings.Contains(ev.Stack, want.(string)) {
				t.Errorf("%s:%d: stack %.80q does not contain %q", file, n, ev.Stack, want)
			}
			continue
		default:
			t.Errorf("%s:%d: unknown check %q", file, n, k)
			continue
		}
		if got != want {
			t.Errorf("%s:%d: %s = %q, want %q", file, n, k, got, want)
		}
	}
}

// TestStackFingerprints checks fingerprints over real stack traces: files
// NAME-1.txt and NAME-2.txt are the same bug hit by different requests (and
// for some, a different build or deploy directory); different NAMEs are
// different bugs.
func TestStackFingerprints(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(stacksDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no stack traces under %s (the corpus is committed): %v", stacksDir, err)
	}
	group := regexp.MustCompile(`^(.*)-\d+\.txt$`)
	byGroup := map[string]string{} // group -> fingerprint
	owner := map[string]string{}   // fingerprint -> group
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := group.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			t.Fatalf("%s: name is not NAME-N.txt", f)
		}
		g := m[1]
		st := parseStack(string(b))
		if st.rootType() == "" || len(st.fingerprintFrames()) == 0 {
			t.Errorf("%s: type %q, frames %q", f, st.rootType(), st.fingerprintFrames())
		}
		fp := Fingerprint("", "", string(b))
		if prev, ok := byGroup[g]; ok && prev != fp {
			t.Errorf("%s: fingerprint %s, its sibling has %s (frames %q)", f, fp, prev, st.fingerprintFrames())
		}
		byGroup[g] = fp
		if o, ok := owner[fp]; ok && o != g {
			t.Errorf("%s and %s share fingerprint %s", g, o, fp)
		}
		owner[fp] = g
	}
}
