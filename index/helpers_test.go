package index

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index/syntax"
)

// buildIndex writes evs to a new index in a temporary directory, committing
// every commitEvery events (and at the end), and returns it open for
// writing.
func buildIndex(t testing.TB, evs []Event, commitEvery int) *Index {
	t.Helper()
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if commitEvery > 0 && (i+1)%commitEvery == 0 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return ix
}

// naiveMatch evaluates a query tree on one event directly: the reference
// the block pipeline (bleve, Bloom filters, word index, columns) must agree
// with.
func naiveMatch(n *qnode, ev *Event) bool {
	switch n.op {
	case opAll:
		return true
	case opAnd:
		for _, k := range n.kids {
			if !naiveMatch(k, ev) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if naiveMatch(k, ev) {
				return true
			}
		}
		return false
	case opNot:
		return !naiveMatch(n.kids[0], ev)
	}
	l := n.leaf
	switch l.spec.kind {
	case fkKeyword:
		v := kwValue(ev, l.spec.col)
		if v == "" {
			return false
		}
		if foldKW(l.spec.col) {
			v = strings.ToLower(v)
		}
		return l.matchValue(v)
	case fkSource:
		return l.matchValue(ev.Source)
	case fkBool:
		return ev.IsError == l.bval
	case fkTime:
		return l.timeOK(toTS(ev.Time))
	case fkNumeric:
		var v float64
		var s string
		if l.spec.col == numStatus {
			if ev.Status == 0 {
				return false
			}
			v, s = float64(ev.Status), itoa(ev.Status)
		} else {
			if !hasDuration(ev.DurationMS) {
				return false
			}
			v, s = ev.DurationMS, ftoa(ev.DurationMS)
		}
		if l.kind == lkPattern {
			return l.re.MatchString(s)
		}
		return l.numOK(v)
	}
	var strs []string
	switch l.spec.col {
	case textMessage:
		strs = []string{ev.Message}
	case textError:
		strs = []string{ev.Error}
	case textStack:
		strs = []string{ev.Stack}
	default:
		var ls lineStrings
		ls.each(ev, func(s []byte) { strs = append(strs, string(s)) })
	}
	var sp wordSplitter
	for _, s := range strs {
		if l.kind == lkWords {
			if syntax.ContainsWords(&sp, []byte(s), l.words) {
				return true
			}
			continue
		}
		for _, w := range words(s) {
			if l.matchWord([]byte(w)) {
				return true
			}
		}
	}
	return false
}

// naiveFind returns the events of evs matching f, in Find's order, and
// their number.
func naiveFind(t testing.TB, evs []Event, f Filter, order Order) []Event {
	t.Helper()
	root, err := compileFilter(f)
	if err != nil {
		t.Fatalf("compile %+v: %v", f, err)
	}
	// syntax's Match is the meaning every store shares: it must agree with
	// this package's lowered tree on every event.
	ref, err := syntax.FromFilter(f)
	if err != nil {
		t.Fatalf("syntax.FromFilter(%+v): %v", f, err)
	}
	var out []Event
	for i := range evs {
		ok := naiveMatch(root, &evs[i])
		if ref.Match(&evs[i]) != ok {
			t.Errorf("filter %+v on %s: syntax.Match = %v, the index's plan says %v", f, key(evs[i]), !ok, ok)
		}
		if ok {
			out = append(out, evs[i])
		}
	}
	slices.SortFunc(out, func(a, b Event) int {
		c := cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
		if order == NewestFirst {
			return -c
		}
		return c
	})
	return out
}

// key identifies an event in test failures.
func key(e Event) string { return e.Source + ":" + itoa(int(e.Line)) }

func keys(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = key(e)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
