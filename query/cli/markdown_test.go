package cli

import (
	"strings"
	"testing"
)

func TestRequestMarkdown(t *testing.T) {
	idx := incidentIndex(t)
	id := caseID(t, "regression")
	r := culprit(t, idx, "", "request", id, "--format", "markdown")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	for _, want := range []string{"# Request `" + id + "`: deployment regression", "## Verdict", "## Evidence",
		"## Root error", "Culprit frame: `main.loyaltyDiscount", "nil pointer dereference\n\ngoroutine ", "## First occurrence",
		"## Deploys", "**suspect**", "## Blast radius", "## Timeline", "## Next steps", "## Reproduce",
		" request " + id + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("markdown lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.ContainsRune(r.stdout, 0x1b) {
		t.Errorf("markdown carries an escape character")
	}
	if r := culprit(t, idx, "", "request", id, "--format", "yaml"); r.code != 2 || !strings.Contains(r.err, "want text, json or markdown") {
		t.Errorf("--format yaml: want a usage error\n%s", r)
	}
	if r := culprit(t, idx, "", "request", id, "--format", "json"); r.code != 0 || !strings.HasPrefix(r.stdout, "{") {
		t.Errorf("--format json: want the JSON report\n%s", r)
	}
}

func TestRequestIDPulledOutOfText(t *testing.T) {
	idx := incidentIndex(t)
	id := caseID(t, "regression")
	for _, arg := range []string{"X-Request-Id: " + id, strings.ToUpper(id), `{"request_id":"` + id + `"}`} {
		r := culprit(t, idx, "", "request", arg, "--json")
		if r.code != 0 || !strings.Contains(r.stdout, `"request_id": "`+id+`"`) {
			t.Errorf("request %q: want the report of %s\n%s", arg, id, r)
		}
	}
}

func TestRequestCompare(t *testing.T) {
	idx := incidentIndex(t)
	id := caseID(t, "regression")
	r := culprit(t, idx, "", "request", id, "--json", "--compare")
	if r.code != 0 || !strings.Contains(r.stdout, `"compare": {`) || !strings.Contains(r.stdout, `"by_version": [`) {
		t.Fatalf("--json --compare: want a compare block\n%s", r)
	}
	if r := culprit(t, idx, "", "request", id, "--json"); strings.Contains(r.stdout, `"compare"`) {
		t.Errorf("--json without --compare carries a compare block")
	}
	if r := culprit(t, idx, "", "request", id, "--format", "markdown", "--compare"); !strings.Contains(r.stdout, "## Before and after orders") {
		t.Errorf("markdown --compare lacks the comparison\n%s", r.stdout)
	}
	text := culprit(t, idx, "", "request", id, "--compare")
	if !strings.Contains(text.stdout, "BEFORE / AFTER  orders") || !strings.Contains(text.stdout, "5xx rate") {
		t.Errorf("text --compare lacks the comparison\n%s", text.stdout)
	}
	if r := culprit(t, idx, "", "request", id); strings.Contains(r.stdout, "BEFORE / AFTER") {
		t.Errorf("text without --compare carries the comparison")
	}
}
