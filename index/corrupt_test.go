package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The corruption suite damages every file of a small index in the ways
// disks, people and backups do (a flipped byte at several offsets, a cut,
// a deletion, an emptied file, an older copy of the file) and asks every
// question culprit asks (status, search, facets, request lookup, errors,
// histogram, deploys, checkpoints). Each answer must be exactly the intact
// index's, or an error wrapping ErrCorrupt: never a panic, never a
// different answer without error. A writer (a re-ingest) over a damaged
// index must fail too, and leave the damage detectable.

// corpusForCorruption writes a small index with several sources, commits
// (so several bleve segments), checkpoints and deploys, and returns its
// directory and that of a copy taken after the first commit.
func corpusForCorruption(t *testing.T) (dir, older string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "ix")
	older = filepath.Join(t.TempDir(), "older")
	// Rollup files too (every few blocks), so that they are damaged like
	// the rest.
	defer func(v int) { rollupMinBlocks = v }(rollupMinBlocks)
	rollupMinBlocks = 2
	var evs []Event
	for s := range 3 {
		part, _ := synthCorpus(700, uint64(s+1))
		evs = append(evs, part...)
	}
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if (i+1)%500 == 0 {
			if err := w.Commit(Checkpoint{Key: fmt.Sprintf("cp-%d", i/500), Offset: int64(i), Lines: int64(i)}); err != nil {
				t.Fatal(err)
			}
			if i+1 == 500 {
				// The older copy: as a backup or a half-done restore
				// would hold it.
				if _, err := ix.AddDeploys([]Deploy{{Time: evs[0].Time, Service: "api", Version: "1"}}); err != nil {
					t.Fatal(err)
				}
				copyDir(t, dir, older)
			}
		}
	}
	if err := w.Commit(Checkpoint{Key: "cp-last", Offset: 1, Lines: 2}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.AddDeploys([]Deploy{{Time: evs[100].Time, Service: "orders", Version: "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, older
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// answers asks every question of the index in dir and returns each answer
// (or its error) by question.
func answers(t *testing.T, dir string) (res map[string]string, openErr error) {
	t.Helper()
	ix, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	ctx := context.Background()
	res = map[string]string{}
	ask := func(name string, fn func() (any, error)) {
		v, err := fn()
		if err != nil {
			res[name] = "error: " + err.Error()
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: error not ErrCorrupt: %v", name, err)
			}
			return
		}
		res[name] = fmt.Sprintf("%+v", v)
	}
	find := func(f Filter, o FindOptions) func() (any, error) {
		return func() (any, error) {
			r, err := ix.Find(ctx, f, o)
			if err != nil {
				return nil, err
			}
			var b strings.Builder
			fmt.Fprintf(&b, "total %d\n", r.Total)
			for _, e := range r.Events {
				fmt.Fprintf(&b, "%s %s %s %s %q\n", key(e), e.Time.Format(time.RFC3339Nano), e.Service, e.RequestID, e.Raw)
			}
			return b.String(), nil
		}
	}
	ask("status", func() (any, error) { return ix.Span(ctx) })
	ask("search all", find(Filter{}, FindOptions{Limit: 10000}))
	ask("search newest", find(Filter{}, FindOptions{Limit: 20, Order: NewestFirst}))
	ask("search word", find(Filter{Query: "timeout OR refused"}, FindOptions{Limit: 10000}))
	ask("search digits", find(Filter{Query: "status:>=500 OR user:u-1*"}, FindOptions{Limit: 10000}))
	ask("request", func() (any, error) {
		r, err := ix.Find(ctx, Filter{ErrorsOnly: true}, FindOptions{Limit: 1})
		if err != nil || len(r.Events) == 0 {
			return r.Total, err
		}
		return find(Filter{RequestID: r.Events[0].RequestID}, FindOptions{Limit: 100})()
	})
	ask("errors", func() (any, error) {
		return ix.Facets(ctx, Filter{ErrorsOnly: true}, []string{"fingerprint", "service", "route"}, 0)
	})
	ask("error groups", func() (any, error) {
		gs, err := ix.GroupSummaries(ctx, Filter{ErrorsOnly: true}, "fingerprint", rollupFacets, 3)
		if err != nil {
			return nil, err
		}
		return summaryText(gs), nil
	})
	ask("error histogram", func() (any, error) {
		s, err := ix.Span(ctx)
		if err != nil {
			return nil, err
		}
		return ix.Histogram(ctx, Filter{ErrorsOnly: true}, s.First, s.Last.Add(time.Second), 9)
	})
	ask("facets", func() (any, error) {
		return ix.Facets(ctx, Filter{}, []string{"service", "status", "source", "user"}, 5)
	})
	ask("facets since", func() (any, error) {
		s, err := ix.Span(ctx)
		if err != nil {
			return nil, err
		}
		return ix.Facets(ctx, Filter{Since: s.First.Add(s.Last.Sub(s.First) / 3)}, []string{"level", "route", "host"}, 4)
	})
	ask("histogram", func() (any, error) {
		s, err := ix.Span(ctx)
		if err != nil {
			return nil, err
		}
		return ix.Histogram(ctx, Filter{}, s.First, s.Last.Add(time.Second), 7)
	})
	ask("each", func() (any, error) {
		var keys []string
		n, err := ix.FindEach(ctx, Filter{Query: "level:error"}, FindOptions{}, func(e *Event) error {
			keys = append(keys, key(*e))
			return nil
		})
		return fmt.Sprint(n, keys), err
	})
	ask("deploys", func() (any, error) { return ix.Deploys(ctx) })
	ask("checkpoints", func() (any, error) {
		var out []string
		for _, k := range []string{"cp-0", "cp-3", "cp-last"} {
			cp, ok, err := ix.Checkpoint(k)
			if err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprint(ok, cp.Offset, cp.Lines))
		}
		return out, nil
	})
	return res, nil
}

// reingest opens the index in dir for writing and commits nothing new, as
// an ingest of unchanged sources would.
func reingest(dir string) error {
	ix, err := Open(dir, Options{})
	if err != nil {
		return err
	}
	w, err := ix.NewWriter()
	if err == nil {
		err = w.Commit()
		err = errors.Join(err, w.Close())
	}
	return errors.Join(err, ix.Close())
}

type mutation struct {
	name  string
	apply func(t *testing.T, path, older string) bool // false: not applicable
}

func flipAt(frac float64) mutation {
	return mutation{fmt.Sprintf("flip@%.0f%%", frac*100), func(t *testing.T, p, _ string) bool {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			return false
		}
		i := min(int(float64(len(b))*frac), len(b)-1)
		b[i] ^= 0x5a
		return os.WriteFile(p, b, 0o600) == nil
	}}
}

var mutations = []mutation{
	flipAt(0), flipAt(0.4), flipAt(1),
	{"truncate", func(t *testing.T, p, _ string) bool {
		st, err := os.Stat(p)
		return err == nil && st.Size() > 1 && os.Truncate(p, st.Size()/2) == nil
	}},
	{"empty", func(t *testing.T, p, _ string) bool {
		st, err := os.Stat(p)
		return err == nil && st.Size() > 0 && os.Truncate(p, 0) == nil
	}},
	{"delete", func(t *testing.T, p, _ string) bool { return os.Remove(p) == nil }},
	{"older", func(t *testing.T, p, older string) bool {
		b, err := os.ReadFile(older)
		cur, err2 := os.ReadFile(p)
		if err != nil || err2 != nil || bytes.Equal(b, cur) {
			return false
		}
		return os.WriteFile(p, b, 0o600) == nil
	}},
}

func TestCorruption(t *testing.T) {
	dir, older := corpusForCorruption(t)
	want, err := answers(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	for q, a := range want {
		if strings.HasPrefix(a, "error") {
			t.Fatalf("intact index: %s: %s", q, a)
		}
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	slices.Sort(files)
	kinds := map[string]bool{}
	for _, f := range files {
		kinds[kindOf(f)] = true
	}
	for _, k := range []string{"blocks.pack", "blocks.idx", "blocks.bloom", "sources", "deploys.json", "manifest.json", "lock",
		"bleve/index_meta.json", "bleve/store/root.bolt", "bleve/store/*.zap"} {
		if !kinds[k] {
			t.Errorf("the index has no %s file; files: %v", k, files)
		}
	}
	muts := mutations
	if testing.Short() {
		// -short (CI's race run): one flip, a cut, a deletion, an older copy.
		muts = []mutation{mutations[1], mutations[3], mutations[5], mutations[6]}
	}
	detected, same, cases := 0, 0, 0
	for _, f := range files {
		for _, m := range muts {
			d := filepath.Join(t.TempDir(), "ix")
			copyDir(t, dir, d)
			if !m.apply(t, filepath.Join(d, f), filepath.Join(older, f)) {
				continue // e.g. no bytes to flip, or no older copy
			}
			cases++
			t.Run(f+"/"+m.name, func(t *testing.T) {
				got, openErr := checkAnswers(t, d, want)
				damaged := openErr != nil || got
				if damaged {
					detected++
				} else {
					same++
				}
				// A re-ingest must not succeed over a damaged index, and
				// must not hide the damage.
				rerr := reingest(d)
				if rerr != nil && !errors.Is(rerr, ErrCorrupt) {
					t.Errorf("re-ingest: error not ErrCorrupt: %v", rerr)
				}
				if damaged && rerr == nil {
					t.Errorf("re-ingest over a damaged index succeeded")
				}
				got2, openErr2 := checkAnswers(t, d, want)
				if damaged && openErr2 == nil && !got2 {
					t.Errorf("after a re-ingest the damage is no longer reported")
				}
				if damaged {
					checkDoctor(t, d, f, want)
				}
			})
		}
	}
	t.Logf("%d files, %d kinds, %d mutations: %d cases, %d detected, %d harmless", len(files), len(kinds), len(muts), cases, detected, same)
	if detected == 0 || cases < 6*len(muts) {
		t.Errorf("%d cases, %d detected: the suite damaged too little", cases, detected)
	}
}

// checkAnswers compares the answers of the index in dir with want: each
// must be equal or an ErrCorrupt. It returns whether some answer was an
// error, and Open's error (which must be an ErrCorrupt).
func checkAnswers(t *testing.T, dir string, want map[string]string) (someErr bool, openErr error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	got, err := answers(t, dir)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("open: error not ErrCorrupt: %v", err)
		}
		var ce *CorruptError
		if errors.As(err, &ce) && ce.File == "" {
			t.Errorf("open: error names no file: %v", err)
		}
		return false, err
	}
	for q, a := range got {
		if strings.HasPrefix(a, "error: ") {
			someErr = true
			continue
		}
		if a != want[q] {
			t.Errorf("%s: answer differs from the intact index without error:\n got %.300s\nwant %.300s", q, a, want[q])
		}
	}
	return someErr, nil
}

// kindOf names the kind of an index file.
func kindOf(rel string) string {
	rel = filepath.ToSlash(rel)
	if strings.HasSuffix(rel, ".zap") {
		return "bleve/store/*.zap"
	}
	return rel
}

// checkDoctor runs Check and Rebuild on a damaged index: Check must report
// a problem, and after Rebuild every question is answered, exactly as the
// intact index did unless Rebuild reports what it lost.
func checkDoctor(t *testing.T, dir, file string, want map[string]string) {
	t.Helper()
	probs, err := Check(dir)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(probs) == 0 {
		t.Errorf("Check of a damaged index found no problem")
	}
	named := false
	for _, p := range probs {
		named = named || p.File == filepath.ToSlash(file) || strings.HasPrefix(filepath.ToSlash(file), p.File+"/")
	}
	if !named {
		t.Logf("Check does not name %s: %v", file, probs)
	}
	rep, err := Rebuild(t.Context(), dir, RebuildOptions{})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	os.RemoveAll(rep.Damaged)
	got, err := answers(t, dir)
	if err != nil {
		t.Fatalf("after Rebuild (%+v): open: %v", rep, err)
	}
	if probs, err := Check(dir); err != nil || len(probs) > 0 {
		t.Errorf("Check after Rebuild: %v %v", probs, err)
	}
	for q, a := range got {
		if strings.HasPrefix(a, "error") {
			t.Errorf("after Rebuild: %s: %s", q, a)
			continue
		}
		exact := len(rep.Lost) == 0
		switch q {
		case "status":
			exact = exact && !rep.DeploysLost
		case "deploys":
			exact = !rep.DeploysLost
		case "checkpoints":
			exact = !rep.CheckpointsDropped
		}
		if exact && a != want[q] {
			t.Errorf("after Rebuild reporting no loss (%+v): %s differs:\n got %.300s\nwant %.300s", rep, q, a, want[q])
		}
	}
}
