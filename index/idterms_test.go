package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShortTerm(t *testing.T) {
	for _, c := range []struct{ v, want string }{
		{"cb73a690ae38023426e97ba7e33fda5c", "cb73"},
		{"/api/v1/cart/13f6d4d7-70e9-42ed-8abe-4faf8dc8e714", "/api/v1/cart/13f6"},
		{"/users/u_69707/notifications", "/users/u_6970"},
		{"/api/v1/search?q=4k+monitor&page=1", "/api/v1/search?q=4k+monitor&page=1"}, // no identifier word
		{"/charges", "/charges"},
		{"req-12345", "req-1234"},
		{"abcd1", "abcd"},
		{"", ""},
	} {
		if got, _ := shortTerm(c.v); got != c.want {
			t.Errorf("shortTerm(%q) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestShortPatternCoversValues: for every value v and every prefix p of
// v, the short-term regexp of p matches v's short term, so a pattern
// whose literal prefix is p never loses a block (short terms longer than
// maxTermLen are cut and flagged long, which the query also asks).
func TestShortPatternCoversValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab9z0/-_.Q7 é")
	check := func(v string) {
		st, _ := shortTerm(v)
		if len(st) > maxTermLen {
			return
		}
		for i := 1; i <= len(v); i++ {
			if i < len(v) && !utf8.RuneStart(v[i]) {
				continue // a literal prefix is whole runes
			}
			p := v[:i]
			src := shortPattern(p)
			re := regexp.MustCompile("^(?:" + src + ")$")
			if !re.MatchString(st) {
				t.Fatalf("value %q, prefix %q: short term %q not matched by %q", v, p, st, src)
			}
		}
	}
	for range 20000 {
		b := make([]rune, rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check(string(b))
	}
	for _, v := range []string{"/api/v1/carts9x/1", "/api/v1/cart/13f6d4d7", "cb73a690ae38", "abcdefgh1", "u_1234567/abc"} {
		check(v)
	}
	if shortPattern("") != "" {
		t.Errorf("an empty prefix must not prune")
	}
}

func FuzzShortPattern(f *testing.F) {
	for _, s := range []string{"/api/v1/carts9x/1", "cb73a690ae38", "/users/u_69707/notifications", "abcde"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, v string, n int) {
		if n < 1 || n > len(v) || !utf8.ValidString(v) || n < len(v) && !utf8.RuneStart(v[n]) {
			return
		}
		st, _ := shortTerm(v)
		if len(st) > maxTermLen {
			return
		}
		src := shortPattern(v[:n])
		re, err := regexp.Compile("^(?:" + src + ")$")
		if err != nil {
			t.Fatalf("prefix %q: %v", v[:n], err)
		}
		if !re.MatchString(st) {
			t.Fatalf("value %q, prefix %q: short term %q not matched by %q", v, v[:n], st, src)
		}
	})
}

// TestIDTermsMixedIndex: an index of format 2, whose blocks were indexed
// with the id fields' values (as before short terms), is read as it is;
// a writer appends blocks with short terms and makes it format 3, which a
// reader of format 2 refuses. The mixed index answers equality and
// patterns on every id field as a brute-force scan does, and an id's
// lookup reads a few blocks, not all.
func TestIDTermsMixedIndex(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 2500
	}
	evs := formatCorpus(n)
	for i := range evs {
		if i%5 == 0 {
			evs[i].ParentSpanID = fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
		}
	}
	t.Cleanup(func() { writeShortTerms, commitFormat = true, formatVersion })
	// bleve is asked even of an index this small: it is what is tested.
	defer func(v int) { fewBlocks = v }(fewBlocks)
	fewBlocks = 0
	dir := t.TempDir()
	write := func(evs []Event) {
		ix, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		w, err := ix.NewWriter()
		if err != nil {
			t.Fatal(err)
		}
		for i := range evs {
			if err := w.Add(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	format := func() int {
		ix, err := Open(dir, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		return ix.meta.Format
	}
	writeShortTerms, commitFormat = false, 2
	write(evs[:n/2])
	writeShortTerms, commitFormat = true, formatVersion
	if f := format(); f != 2 {
		t.Fatalf("written as before short terms: format %d, want 2", f)
	}
	write(evs[n/2:])
	if f := format(); f != formatVersion {
		t.Fatalf("after a commit with short terms: format %d, want %d", f, formatVersion)
	}
	ix, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	blocks, _, err := ix.snapshot()
	if err != nil {
		t.Fatal(err)
	}

	var queries []string
	for _, i := range []int{1, 29, 31, 37, n/2 - 1, n / 2, n/2 + 29, n - 2} {
		ev := &evs[i]
		for _, c := range []struct{ field, v string }{
			{"request_id", ev.RequestID}, {"path", ev.Path}, {"trace_id", ev.TraceID},
			{"span_id", ev.SpanID}, {"parent_span_id", ev.ParentSpanID},
		} {
			if c.v == "" {
				continue
			}
			queries = append(queries, c.field+":"+quoteValue(c.v))
			for _, k := range []int{1, 3, 4, 5, 9, len(c.v) / 2, len(c.v) - 1} {
				if k > 0 && k < len(c.v) {
					queries = append(queries, c.field+":"+escapePattern(c.v[:k])+"*")
				}
			}
		}
	}
	queries = append(queries, "request_id:nothere0123456789", "path:/nowhere/12345", "request_id:*", "path:*orders*",
		"NOT request_id:"+quoteValue(evs[3].RequestID), "request_id:/[0-9a-f]{4}.*/")
	ctx := context.Background()
	for _, q := range queries {
		f := Filter{Query: q}
		want := naiveFind(t, evs, f, OldestFirst)
		res, err := ix.Find(ctx, f, FindOptions{Limit: 30, Order: OldestFirst})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if res.Total != len(want) {
			t.Errorf("%q: total %d, brute force %d", q, res.Total, len(want))
		}
		if got, w := keys(res.Events), keys(want[:min(30, len(want))]); !slices.Equal(got, w) {
			t.Errorf("%q: %v, brute force %v", q, got, w)
		}
	}

	// An id's blocks are found by its term and the Bloom filters: a lookup
	// reads the blocks that hold it and few others, in both halves.
	for _, i := range []int{7, n/2 + 7} {
		id := evs[i].RequestID
		p, err := ix.plan(ctx, Filter{RequestID: id})
		if err != nil {
			t.Fatal(err)
		}
		holding := 0
		for b := range blocks {
			if hasRequest(t, ix, b, id) {
				holding++
			}
		}
		if holding == 0 || len(p.nums) > holding+2 {
			t.Errorf("request %s: %d candidate blocks of %d, %d hold it", id, len(p.nums), len(blocks), holding)
		}
	}
}

// hasRequest reports whether block b has a line of request id.
func hasRequest(t *testing.T, ix *Index, b int, id string) bool {
	t.Helper()
	blocks, _, _ := ix.snapshot()
	c, err := ix.loadCols(b, &blocks[b])
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.kwc(kRequestID)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(k.dict, id)
}

// quoteValue quotes v as a query's exact value.
func quoteValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// escapePattern escapes the characters of a query term.
func escapePattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`+-=&|><!(){}[]^"~*?:\/ `, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestFormatRefused: an index of a format this package does not read (a
// newer one, or one before format 2) is refused with a message that says
// to re-create it, as a reader of format 2 refuses an index of format 3.
func TestFormatRefused(t *testing.T) {
	t.Cleanup(func() { commitFormat = formatVersion })
	for _, f := range []int{minFormat - 1, formatVersion + 1} {
		dir := t.TempDir()
		ix, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := ix.NewWriter()
		if err != nil {
			t.Fatal(err)
		}
		evs := manyIDs(10)
		for i := range evs {
			if err := w.Add(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		commitFormat = f
		err = w.Commit()
		commitFormat = formatVersion
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		ix.Close()
		_, err = Open(dir, Options{ReadOnly: true})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("format %d", f)) || !strings.Contains(err.Error(), "re-create the index") {
			t.Errorf("format %d: open error %v, want a refusal asking to re-create the index", f, err)
		}
	}
}
