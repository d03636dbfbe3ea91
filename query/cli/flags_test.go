package cli

import (
	"strings"
	"testing"
)

// TestInvalidFlagsExitTwo: every invalid command line is exit 2, prints
// nothing on stdout and says on stderr what is wrong.
func TestInvalidFlagsExitTwo(t *testing.T) {
	idx := incidentIndex(t)
	cases := []struct {
		args []string
		want string // in the message
	}{
		{[]string{"request"}, "accepts 1 arg"},
		{[]string{"request", "a", "b"}, "accepts 1 arg"},
		{[]string{"request", " '' "}, "empty request ID"},
		{[]string{"errors", "--sort", "size"}, "--sort"},
		{[]string{"errors", "--limit", "-1"}, "--limit -1"},
		{[]string{"errors", "--since", "soon"}, "--since"},
		{[]string{"ingest"}, "at least one PATH"},
		{[]string{"ingest", "--max-line", "0", "x.log"}, "--max-line 0"},
		{[]string{"ingest", "--max-line", "-5", "x.log"}, "--max-line -5"},
		{[]string{"ingest", "--max-line", "lots", "x.log"}, "--max-line"},
		{[]string{"ingest", "--field", "nosuchfield=a.b", "x.log"}, "--field nosuchfield=a.b"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"search", "x", "--limit", "many"}, "--limit"},
		{[]string{"search", "x", "--limit", "-1"}, "--limit -1"},
		{[]string{"search", "x", "--limit", "0"}, "--limit 0"},
		{[]string{"search", "*", "--since", "yesterday-ish"}, "--since"},
		{[]string{"search", "*", "--until", "2h", "--since", "1h"}, "is not after --since"},
		{[]string{"search", "*", "--until", "13:00:00"}, "--until"},
		{[]string{"search", "x", "--level", "loud"}, `--level "loud"`},
		{[]string{"search", "x", "--nosuchflag"}, "unknown flag"},
		{[]string{"search", "-service:gateway"}, "culprit search [FLAGS] -- -service:gateway"},
		{[]string{"deploys", "extra"}, "unknown command"},
		{[]string{"status", "--json=maybe"}, "--json"},
		{[]string{"tui", "a", "b"}, "accepts at most 1 arg"},
		{[]string{"--index", " ", "status"}, "--index"},
	}
	for _, c := range cases {
		r := culprit(t, idx, "", c.args...)
		if r.code != ExitError || r.stdout != "" || !strings.Contains(r.err, c.want) || !strings.Contains(r.err, "--help") {
			t.Errorf("culprit %q: want exit 2, no stdout, a message containing %q and a pointer to --help\n%s", c.args, c.want, r)
		}
	}
	// Valid synonyms are accepted.
	for _, args := range [][]string{
		{"search", "status:>=500", "--level", "verbose", "--limit", "1"},
		{"search", "status:>=500", "--level", " CRIT ", "--limit", "1"},
		{"errors", "--limit", "0", "--since", "2026-11-25 17:00", "--until", "now"},
	} {
		if r := culprit(t, idx, "", args...); r.code == ExitError {
			t.Errorf("culprit %q: exit 2\n%s", args, r)
		}
	}
}
