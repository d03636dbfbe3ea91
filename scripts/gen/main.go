// Command gen writes a deterministic, realistic multi-service corpus of JSON
// log lines plus a deploy history, for culprit's benchmarks and end-to-end
// checks:
//
//	go run ./scripts/gen -lines 1000000 -seed 1 -out DIR
//
// DIR/logs/<service>.jsonl holds one file per service, each in a different
// real logger convention (pino-http, log/slog, zap, structlog, ECS, logrus,
// OpenTelemetry); requests cross 2–4 services under one request id; a few
// percent fail with stack traces in each language's own format, from ~30
// distinct bugs (deploy regressions, a database outage, data-specific and
// code-path bugs, pre-existing noise). DIR/deploys.json is the deploy
// history, DIR/ids.txt ~100 request ids (failing and succeeding, one per
// line) and DIR/truth.json what was planted: every bug with its scenario,
// the deploy that introduced it, its first occurrence, and the sampled ids.
//
// The same flags and seed give byte-identical output.
//
// Allowed imports: the standard library only.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const defaultStart = "2026-03-09T06:00:00Z"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	lines := fs.Int64("lines", 1_000_000, "number of log lines, all services together")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and flags give byte-identical output")
	out := fs.String("out", "", "output directory (required; created if missing)")
	start := fs.String("start", defaultStart, "RFC 3339 time the logs start at")
	span := fs.Duration("span", 36*time.Hour, "time the logs cover")
	users := fs.Int("users", 5000, "number of distinct users")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return errors.New("-out DIR is required")
	}
	if *lines < 1 {
		return fmt.Errorf("-lines %d: must be at least 1", *lines)
	}
	if *users < 20 || *users > 90000 {
		return fmt.Errorf("-users %d: must be between 20 and 90000", *users)
	}
	if *span < time.Hour {
		return fmt.Errorf("-span %s: must be at least 1h", *span)
	}
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	cfg := config{Lines: *lines, Seed: *seed, Start: t0.UTC(), Span: *span, Users: *users}

	began := time.Now()
	res, err := generateDir(cfg, *out)
	if err != nil {
		return err
	}
	res.print(stdout, *out, time.Since(began))
	return nil
}

// generateDir writes the corpus into dir.
func generateDir(cfg config, dir string) (*result, error) {
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	var files [numServices]*os.File
	var ws [numServices]io.Writer
	closeAll := func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}
	for i, name := range serviceNames {
		f, err := os.Create(filepath.Join(logs, name+".jsonl"))
		if err != nil {
			closeAll()
			return nil, err
		}
		files[i], ws[i] = f, f
	}
	g := newGen(cfg, ws)
	err := g.run()
	for _, f := range files {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, err
	}
	res := g.result()
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"deploys.json", res.deploysJSON},
		{"ids.txt", res.idsTxt},
		{"truth.json", res.truthJSON},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// result is what a run produced, besides the log files.
type result struct {
	lines, bytes      int64
	requests, failing int64
	perService        [numServices][2]int64
	first, last       time.Time
	samples           []sample
	deploysJSON       []byte
	idsTxt            []byte
	truthJSON         []byte
	truth             truth
}

// deployRecord is one entry of deploys.json; the keys are index.Deploy's.
type deployRecord struct {
	Time        string `json:"time"`
	Service     string `json:"service"`
	Version     string `json:"version"`
	Commit      string `json:"commit"`
	Author      string `json:"author"`
	Environment string `json:"environment"`
}

// truth is what the corpus was built to contain.
type truth struct {
	Seed     uint64      `json:"seed"`
	Lines    int64       `json:"lines"`
	Requests int64       `json:"requests"`
	Failing  int64       `json:"failing_requests"`
	Start    string      `json:"start"`
	End      string      `json:"end"`
	Services []string    `json:"services"`
	Bugs     []truthBug  `json:"bugs"`
	Windows  []truthSpan `json:"windows"`
	Samples  []sample    `json:"samples"`
}

type truthBug struct {
	Name           string        `json:"name"`
	Service        string        `json:"service"`
	Scenario       string        `json:"scenario"`
	Expected       string        `json:"expected_verdict,omitempty"`
	ErrorType      string        `json:"error_type"`
	HasStack       bool          `json:"has_stack"`
	Note           string        `json:"note,omitempty"`
	IntroducedBy   *deployRecord `json:"introduced_by,omitempty"`
	Requests       int64         `json:"requests"`
	Users          int           `json:"users"`
	Endpoints      int           `json:"endpoints"`
	FirstSeen      string        `json:"first_seen,omitempty"`
	FirstRequestID string        `json:"first_request_id,omitempty"`
	LastSeen       string        `json:"last_seen,omitempty"`
	SampleIDs      []string      `json:"sample_request_ids,omitempty"`
}

type truthSpan struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

func rfc(ns int64) string { return utc(ns).Format(time.RFC3339Nano) }

func (g *gen) deployRecord(rel *release) deployRecord {
	return deployRecord{Time: rfc(rel.from), Service: serviceNames[rel.svc], Version: rel.version, Commit: rel.commit, Author: rel.author + "@acme.example", Environment: "production"}
}

func (g *gen) result() *result {
	res := &result{requests: g.requests, failing: g.failing, first: utc(g.startNS), last: utc(g.lastT)}
	for s := range numServices {
		res.lines += g.written[s]
		res.bytes += g.bytes[s]
		res.perService[s] = [2]int64{g.written[s], g.bytes[s]}
	}

	deps := make([]deployRecord, 0, len(g.deploys))
	for _, rel := range g.deploys {
		deps = append(deps, g.deployRecord(rel))
	}
	res.deploysJSON, _ = json.MarshalIndent(deps, "", "  ")
	res.deploysJSON = append(res.deploysJSON, '\n')

	// ids.txt: the first occurrence and one more request of every bug that
	// fired, then random failing requests, to 50; and 50 random successful
	// ones, interleaved.
	var fail []sample
	have := map[string]bool{}
	byID := map[string]sample{}
	for _, s := range g.failPool {
		byID[s.ID] = s
	}
	addFail := func(s sample) {
		if len(fail) < 50 && !have[s.ID] {
			have[s.ID] = true
			fail = append(fail, s)
		}
	}
	tr := truth{Seed: g.cfg.Seed, Lines: res.lines, Requests: g.requests, Failing: g.failing, Start: rfc(g.startNS), End: rfc(g.lastT), Services: serviceNames[:]}
	for i, b := range g.w.bugs {
		st := &g.stats[i]
		tb := truthBug{Name: b.name, Service: serviceNames[b.svc], Scenario: b.scenario, ErrorType: b.errType, HasStack: b.stack != "", Note: b.note, Requests: st.count}
		var introduced *release
		if b.release {
			for _, rel := range g.deploys {
				if rel.svc == b.svc && rel.bugs&(1<<i) != 0 {
					d := g.deployRecord(rel)
					tb.IntroducedBy, introduced = &d, rel
					break
				}
			}
		}
		tb.Expected = g.expectedVerdict(b, introduced)
		tb.Users = len(st.users)
		tb.Endpoints = len(st.keys)
		if st.count > 0 {
			tb.FirstSeen, tb.FirstRequestID, tb.LastSeen = rfc(st.firstT), st.firstID, rfc(st.lastT)
			tb.SampleIDs = st.samples
			addFail(sample{ID: st.firstID, Failing: true, Bug: b.name, Time: rfc(st.firstT)})
		}
		tr.Bugs = append(tr.Bugs, tb)
	}
	for i, b := range g.w.bugs {
		for _, id := range g.stats[i].samples {
			if id != g.stats[i].firstID {
				addFail(sample{ID: id, Failing: true, Bug: b.name})
				break
			}
		}
	}
	for _, s := range g.failPool {
		addFail(s)
	}
	// Fill in route/status/time where the pool knows them.
	for i := range fail {
		if s, ok := byID[fail[i].ID]; ok {
			fail[i] = s
		}
	}
	var ids strings.Builder
	var all []sample
	for i := 0; i < max(len(fail), len(g.okSamples)); i++ {
		if i < len(fail) {
			all = append(all, fail[i])
		}
		if i < len(g.okSamples) {
			all = append(all, g.okSamples[i])
		}
	}
	for _, s := range all {
		ids.WriteString(s.ID)
		ids.WriteByte('\n')
	}
	res.idsTxt = []byte(ids.String())
	res.samples = all
	tr.Samples = all
	tr.Windows = []truthSpan{
		{"postgres-main outage", rfc(g.startNS + int64(pgOutageAt*float64(g.spanNS))), rfc(g.startNS + int64(pgOutageAt*float64(g.spanNS)) + int64(pgOutageFor))},
		{"payment provider degraded", rfc(g.startNS + int64(stripeSlowAt*float64(g.spanNS))), rfc(g.startNS + int64(stripeSlowAt*float64(g.spanNS)) + int64(stripeSlowFor))},
	}
	res.truth = tr
	res.truthJSON, _ = json.MarshalIndent(tr, "", "  ")
	res.truthJSON = append(res.truthJSON, '\n')
	return res
}

// expectedVerdict applies the verdict rules of docs/design.md, in order, to
// what the generator knows about a bug's occurrences, so that an end-to-end
// check can compare culprit's verdict with it, with query's thresholds:
// "present from the start" is within 2% of
// the logs' span (at least 2 minutes) with no deploy of the service before
// it; "a small share of users" is at most a fifth of the users active on the
// failing endpoint (or on all endpoints when several fail), or at most 5 of
// 20 or more. The baseline window is the bug's first to last occurrence,
// which approximates query's.
func (g *gen) expectedVerdict(b *bug, introduced *release) string {
	st := &g.stats[b.idx]
	switch {
	case st.count == 0:
		return ""
	case b.scenario == scDependency:
		return scDependency
	case introduced != nil && st.firstT >= introduced.from && st.firstT-introduced.from <= int64(30*time.Minute):
		return scRegression
	}
	tol := max(int64(2*time.Minute), (g.lastT-g.firstT)/50)
	if st.firstT-g.firstT <= tol && !g.deployedBetween(b.svc, g.firstT, st.firstT) {
		return scPre
	}
	acts := g.actAll
	for k := range st.keys {
		if len(st.keys) == 1 {
			acts = g.act[k]
		}
	}
	active := distinctUsers(acts, st.firstT, st.lastT, g.cfg.Users)
	if aff := len(st.users); aff > 0 && active > 0 && (5*aff <= active || active >= 20 && aff <= 5) {
		return scData
	}
	if len(st.keys) == 1 {
		return scCodePath
	}
	return "unknown"
}

// deployedBetween reports whether svc had a deploy in (from, to].
func (g *gen) deployedBetween(svc int, from, to int64) bool {
	for _, rel := range g.rels[svc] {
		if rel.from > from && rel.from <= to {
			return true
		}
	}
	return false
}

// distinctUsers counts the users in acts (in time order) between from and to.
func distinctUsers(acts []userAt, from, to int64, users int) int {
	i := sort.Search(len(acts), func(i int) bool { return acts[i].t >= from })
	seen := make([]bool, users)
	n := 0
	for ; i < len(acts) && acts[i].t <= to; i++ {
		if !seen[acts[i].user] {
			seen[acts[i].user] = true
			n++
		}
	}
	return n
}

func (res *result) print(w io.Writer, dir string, took time.Duration) {
	fmt.Fprintf(w, "wrote %d lines, %d bytes (%.1f MiB, %.0f B/line) to %s in %.1fs\n",
		res.lines, res.bytes, float64(res.bytes)/(1<<20), float64(res.bytes)/float64(max(res.lines, 1)), dir, took.Seconds())
	fmt.Fprintf(w, "time %s .. %s; %d requests, %d failing (%.2f%%)\n",
		res.first.Format(time.RFC3339), res.last.Format(time.RFC3339), res.requests, res.failing, 100*float64(res.failing)/float64(max(res.requests, 1)))
	for s, name := range serviceNames {
		fmt.Fprintf(w, "  %-14s %9d lines %11d bytes\n", name, res.perService[s][0], res.perService[s][1])
	}
	fired := 0
	for _, b := range res.truth.Bugs {
		if b.Requests > 0 {
			fired++
		}
	}
	fmt.Fprintf(w, "%d of %d bugs fired; %d deploys in deploys.json\n", fired, len(res.truth.Bugs), strings.Count(string(res.deploysJSON), `"time"`))
	nf, nok := 0, 0
	for _, s := range res.samples {
		if s.Failing && nf < 5 {
			fmt.Fprintf(w, "  failing  %s  %s\n", s.ID, s.Bug)
			nf++
		}
		if !s.Failing && nok < 3 {
			fmt.Fprintf(w, "  ok       %s  %s %d\n", s.ID, s.Route, s.Status)
			nok++
		}
	}
	fmt.Fprintf(w, "%d request ids in %s\n", len(res.samples), filepath.Join(dir, "ids.txt"))
}
