package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
	"github.com/culprit-dev/culprit/ingest/textsafe"
)

const (
	// dryRunLines is how many lines of each source DryRun reads.
	dryRunLines = 1000
	// dryRunUnplaced is how many unplaced lines DryRun shows per source.
	dryRunUnplaced = 5
	// dryRunWidth is the longest value or line excerpt DryRun prints.
	dryRunWidth = 80
)

// DryRun reads the first lines of every source of o.Paths, chooses each
// source's mapping as Run would (o.Fields and o.Service included), and
// writes to w, per source: the convention, every canonical field with the
// key it is read from and a sample value, and the lines it could not place
// (not JSON, or without a time), so that a user can check the mapping
// before indexing. It writes no index and no checkpoint. Everything printed
// that comes from the logs is sanitized. A path that cannot be read is
// reported in the output and in the returned *PathErrors; the others are
// still shown.
func DryRun(ctx context.Context, o Options, w io.Writer) error {
	for f := range o.Fields {
		if !slices.Contains(index.Fields, f) {
			return fmt.Errorf("unknown field %q in --field (want one of %s)", f, strings.Join(index.Fields, ", "))
		}
	}
	maxLine := o.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	stdin := o.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	x := newExpander(o.Deploys, o.SkipDirs)
	for _, p := range o.Paths {
		x.expand(p)
	}
	found := make([]string, 0, len(x.srcs)+len(x.failed))
	for _, s := range x.srcs {
		found = append(found, s.name)
	}
	for _, f := range x.failed {
		found = append(found, f.Path)
	}
	for _, d := range EmptyDirs(o.Paths, found) {
		x.fail(d, ErrNoFiles)
	}
	bw := bufio.NewWriter(w)
	failed := append([]PathError(nil), x.failed...)
	for _, src := range x.srcs {
		if err := ctx.Err(); err != nil {
			bw.Flush()
			return err
		}
		lines, err := readHead(ctx, src, stdin, maxLine)
		if err != nil {
			failed = append(failed, PathError{Path: src.name, Err: err})
			fmt.Fprintf(bw, "%s: %s\n\n", textsafe.Line(src.name), textsafe.Line(err.Error()))
			continue
		}
		if err := dryRunSource(bw, src.name, lines, o); err != nil {
			return err
		}
	}
	for _, f := range x.failed {
		fmt.Fprintf(bw, "%s\n", textsafe.Line(f.Error()))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &PathErrors{Errs: failed}
	}
	return nil
}

// readHead reads up to dryRunLines lines of a source (decompressing a gzip
// file), each cut at maxLine bytes and repaired to valid UTF-8. A stream
// (stdin, a named pipe) is read interruptibly: cancelling ctx stops it.
func readHead(ctx context.Context, src source, stdin io.Reader, maxLine int) ([][]byte, error) {
	var rd io.Reader
	var interrupt func()
	switch fi, err := os.Stat(src.name); {
	case src.stdin:
		var closeFn func() error
		rd, interrupt, closeFn = interruptible(stdin)
		defer closeFn()
	case err != nil:
		return nil, unwrapPathErr(err)
	case fi.IsDir():
		return nil, errors.New("is a directory")
	case !fi.Mode().IsRegular():
		var closeFn func() error
		if rd, interrupt, closeFn, err = openStreamPath(src.name); err != nil {
			return nil, unwrapPathErr(err)
		}
		defer closeFn()
	default:
		f, err := os.Open(src.name)
		if err != nil {
			return nil, unwrapPathErr(err)
		}
		defer f.Close()
		rd = f
	}
	if interrupt != nil {
		stop := context.AfterFunc(ctx, interrupt)
		defer stop()
	}
	br := bufio.NewReaderSize(rd, readBufSize)
	if magic, _ := br.Peek(2); isGzip(magic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		br = bufio.NewReaderSize(zr, readBufSize)
	}
	var lines [][]byte
	var cur []byte
	for len(lines) < dryRunLines {
		chunk, err := br.ReadSlice('\n')
		if len(cur) < maxLine {
			cur = append(cur, chunk[:min(len(chunk), maxLine-len(cur))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(cur) > 0 || err == nil {
			lines = append(lines, bytes.ToValidUTF8(bytes.TrimRight(cur, "\r\n"), repl))
		}
		cur = nil
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return lines, ctx.Err()
			}
			return lines, err
		}
	}
	return lines, nil
}

// dryRunSource writes one source's mapping, sample values and unplaced
// lines.
func dryRunSource(w *bufio.Writer, name string, lines [][]byte, o Options) error {
	var sample [][]byte
	n := 0
	for _, l := range lines {
		if isBlank(l) {
			continue
		}
		sample = append(sample, l)
		if n += len(l); len(sample) >= sampleLines || n >= sampleBytes {
			break
		}
	}
	m, err := logline.Detect(sample, o.Fields)
	if err != nil {
		return err
	}
	m.DefaultService = serviceName(name)
	if o.Service != "" {
		m.DefaultService = o.Service
	}
	type unplaced struct {
		num  int
		why  string
		line []byte
	}
	var bad []unplaced
	badTotal := 0
	samples := make(map[string]string, len(index.Fields))
	events := 0
	for i, l := range lines {
		if isBlank(l) {
			continue
		}
		events++
		var ev index.Event
		m.Parse(l, &ev)
		fillSamples(samples, &ev)
		why := ""
		switch {
		case ev.Text:
			why = "not JSON (kept as text)"
		case ev.Time.IsZero():
			why = "no time"
		}
		if why != "" {
			badTotal++
			if len(bad) < dryRunUnplaced {
				bad = append(bad, unplaced{i + 1, why, l})
			}
		}
	}
	fmt.Fprintf(w, "%s: %s read, convention %s\n", textsafe.Line(name), nouns(int64(len(lines)), "line"), textsafe.Line(m.Convention))
	fields := m.Fields()
	// Keys the first lines did not show (errors are often later): name
	// where they were found among all the lines read.
	var later map[string]string
	if len(sample) < events {
		var all [][]byte
		for _, l := range lines {
			if !isBlank(l) {
				all = append(all, l)
			}
		}
		if ml, err := logline.Detect(all, o.Fields); err == nil {
			later = ml.Fields()
		}
	}
	nameWidth := 0 // the arrows line up under the longest name (parent_span_id)
	for _, f := range index.Fields {
		nameWidth = max(nameWidth, len(f))
	}
	for _, f := range index.Fields {
		from, ok := fields[f]
		switch {
		case ok && slices.Contains(m.Overridden, f):
			from = textsafe.Line(from) + " (--field)"
		case ok:
			from = textsafe.Line(from)
		case f == "service" && samples[f] == m.DefaultService:
			from = "(default: " + textsafe.Line(m.DefaultService) + ")"
			if o.Service == "" {
				from = "(file name)"
			}
		case samples[f] != "" && m.Convention == "text":
			from = "(the text line)"
		case samples[f] != "" && f == "route":
			from = "(templated from path)"
		case samples[f] != "" && later[f] != "":
			from = textsafe.Line(later[f]) + " (later lines)"
		case samples[f] != "":
			from = "(prefix, usual key or text)"
		default:
			from = "-"
		}
		val := samples[f]
		if val != "" {
			val = strconv.Quote(clip(val, dryRunWidth))
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-*s ← %-28s %s", nameWidth, f, from, textsafe.Line(val)), " "))
	}
	if badTotal == 0 {
		fmt.Fprintf(w, "  every line placed\n\n")
		return nil
	}
	fmt.Fprintf(w, "  %s of %s not placed:\n", num(int64(badTotal)), nouns(int64(events), "line"))
	for _, b := range bad {
		fmt.Fprintf(w, "    line %d (%s): %s\n", b.num, b.why, textsafe.Line(clip(string(b.line), dryRunWidth)))
	}
	if keys := logline.TimeKeys(sample); len(keys) > 0 && fields["time"] == "" {
		fmt.Fprintf(w, "  the time may be in %s: --field time=%s\n", textsafe.Line(strings.Join(keys, " or ")), textsafe.Line(keys[0]))
	}
	fmt.Fprintln(w)
	return nil
}

// fillSamples records, for every canonical field still without a sample,
// the event's value of it as text.
func fillSamples(samples map[string]string, ev *index.Event) {
	set := func(f, v string) {
		if v != "" && samples[f] == "" {
			samples[f] = v
		}
	}
	if !ev.Time.IsZero() {
		set("time", ev.Time.UTC().Format(time.RFC3339Nano))
	}
	set("level", ev.Level)
	set("message", firstLine(ev.Message))
	set("request_id", ev.RequestID)
	set("service", ev.Service)
	set("host", ev.Host)
	set("version", ev.Version)
	set("method", ev.Method)
	set("path", ev.Path)
	set("route", ev.Route)
	if ev.Status > 0 {
		set("status", strconv.Itoa(ev.Status))
	}
	set("user", ev.User)
	if ev.DurationMS > 0 {
		set("duration", strconv.FormatFloat(ev.DurationMS, 'f', -1, 64)+" ms")
	}
	set("error_type", ev.ErrorType)
	set("error", firstLine(ev.Error))
	set("stack", firstLine(ev.Stack))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if !utf8.ValidString(l) {
		l = strings.ToValidUTF8(l, "\uFFFD")
	}
	return l
}
