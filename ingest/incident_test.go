package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The sample incident (testdata/incident) is real output of pino, slog,
// structlog and zerolog with its deploy history in two formats.
const incident = "../testdata/incident"

func TestIncidentCorpus(t *testing.T) {
	logs := filepath.Join(incident, "logs")
	files, err := filepath.Glob(filepath.Join(logs, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no logs under %s (the incident corpus is committed): %v", logs, err)
	}
	sink := newFakeSink()
	sum, err := Run(t.Context(), Options{Paths: []string{logs}, Deploys: []string{filepath.Join(incident, "deploys.csv")}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Sources) != len(files) {
		t.Fatalf("%d sources, want %d", len(sum.Sources), len(files))
	}
	for _, s := range sum.Sources {
		data, err := os.ReadFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		lines := int64(bytes.Count(data, []byte{'\n'}))
		if s.Lines != lines || s.Events != lines || s.TextLines != 0 || s.Untimed != 0 {
			t.Errorf("%s: lines %d, events %d, text %d, untimed %d; want %d, %d, 0, 0",
				s.Path, s.Lines, s.Events, s.TextLines, s.Untimed, lines, lines)
		}
		if s.Fields["time"] == "" || s.Fields["request_id"] == "" || s.Convention == "json" || s.Convention == "text" {
			t.Errorf("%s: convention %q, mapping %v: the logger was not recognised", s.Path, s.Convention, s.Fields)
		}
	}
	if int64(len(sink.events())) != sum.Events || sum.Deploys == 0 {
		t.Errorf("stored %d events of %d, %d deploys", len(sink.events()), sum.Events, sum.Deploys)
	}
}

func TestIncidentDeploysAgree(t *testing.T) {
	read := func(name string) []struct{ a, b string } {
		f, err := os.Open(filepath.Join(incident, name))
		if err != nil {
			t.Fatalf("the committed incident corpus: %v", err)
		}
		defer f.Close()
		ds, err := ReadDeploys(name, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []struct{ a, b string }
		for _, d := range ds {
			out = append(out, struct{ a, b string }{d.Time.UTC().String(), d.Service + "|" + d.Version + "|" + d.Commit + "|" + d.Author + "|" + d.Environment})
		}
		return out
	}
	csv, js := read("deploys.csv"), read("deploys.json")
	if len(csv) == 0 || len(csv) != len(js) {
		t.Fatalf("deploys.csv has %d deploys, deploys.json %d", len(csv), len(js))
	}
	for i := range csv {
		if csv[i] != js[i] {
			t.Errorf("deploy %d: csv %v, json %v", i, csv[i], js[i])
		}
	}
}
