package victorialogs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// DefaultBatchBytes is how many bytes of rows a Sink gathers before it
// POSTs them in one body.
const DefaultBatchBytes = 16 << 20

// maxRowBytes is the largest row VictoriaLogs keeps: its cluster frontend
// skips rows above 2 MiB (with a warning) whatever -insert.maxLineSizeBytes
// says.
const maxRowBytes = 2<<20 - 1024

// Sink writes events, checkpoints and deploys into the store: ingest's
// write path (it has the method set of ingest.Sink). Rows are sent as JSON
// lines with Content-Type application/stream+json, gathered up to
// BatchBytes per request. After each Commit the sink asks the server to
// make the rows searchable and counts them back, so a row the server
// dropped (outside its retention, too long) is an error, not a silent
// loss. A Sink is for one goroutine.
type Sink struct {
	s *Store
	// BatchBytes bounds the body of one insert request (0:
	// DefaultBatchBytes).
	BatchBytes int
	// Settle bounds how long a commit waits for the rows it sent to become
	// searchable before it reports those it cannot count as lost (0:
	// DefaultSettle).
	Settle time.Duration

	// ctx bounds every request: ingest.Sink's methods take no context, so
	// the sink keeps the one of the ingest run it serves.
	ctx context.Context

	run       string // random per sink: names its batches
	seq       int    // the commit number, for batch names
	batch     string // the current commit's batch name
	buf       bytes.Buffer
	pending   []pendingRow
	ids       map[string]bool // ids of pending rows
	sources   map[string]*sourceSeen
	sent      []sentRow // rows of the current batch already POSTed
	pendBytes int       // bytes of the pending rows
	deploys   int       // AddDeploys calls, for batch names
	dirty     bool      // rows POSTed since the last flush
	cpTime    time.Time
	closed    bool
}

// pendingRow is a row not yet sent.
type pendingRow struct {
	sentRow
	row   []byte
	check bool // the row may be in the store already: look it up first
}

// sentRow names a row sent in the current batch, for the error that says
// which row the server dropped.
type sentRow struct {
	id     string
	source string
	line   int64
	time   time.Time
}

// sourceSeen is what the sink knows of a source's rows in the store.
type sourceSeen struct {
	storeMax int64 // the highest line of the source in the store when the sink first saw it
	maxLine  int64 // the highest line this sink added
}

// NewSink returns a sink writing into s for one ingest run; ctx cancels
// its requests.
func (s *Store) NewSink(ctx context.Context) (*Sink, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("victorialogs: sink id: %w", err)
	}
	k := &Sink{s: s, ctx: ctx, run: hex.EncodeToString(b[:]), ids: map[string]bool{}, sources: map[string]*sourceSeen{}}
	k.nextBatch()
	return k, nil
}

func (k *Sink) nextBatch() {
	k.seq++
	k.batch = k.run + "-" + strconv.Itoa(k.seq)
	k.sent = k.sent[:0]
}

// Checkpoint returns the last committed checkpoint of a source key.
func (k *Sink) Checkpoint(key string) (model.Checkpoint, bool, error) {
	q := fKind + ":=" + kindCP + " " + fCPKey + ":=" + quote(key) + " | sort by (_time desc) limit 1 | fields " + fCP
	rows, err := k.s.c.queryRows(k.ctx, q)
	if err != nil || len(rows) == 0 {
		return model.Checkpoint{}, false, err
	}
	var cp model.Checkpoint
	if err := json.Unmarshal([]byte(rows[0][fCP]), &cp); err != nil {
		return model.Checkpoint{}, false, fmt.Errorf("victorialogs: checkpoint %q: %w", key, err)
	}
	return cp, true, nil
}

// Add queues one event. An event already in the store or queued (same
// source, line and bytes) is skipped: the first time the sink sees a
// source it asks for the highest line number the store holds of it; a row
// whose number is not above that, or not above the highest this sink
// added, is looked up by id before it is sent.
func (k *Sink) Add(ev *model.Event) error {
	if k.closed {
		return errClosed
	}
	if ev.Time.Before(minTime) || ev.Time.After(maxTime) {
		return fmt.Errorf("victorialogs: %s:%d: time %s is outside what VictoriaLogs can store", printable(ev.Source), ev.Line, ev.Time.Format(time.RFC3339Nano))
	}
	id := rowID(ev)
	if k.ids[id] {
		return nil
	}
	src := k.sources[ev.Source]
	if src == nil {
		rows, err := k.s.c.queryRows(k.ctx, fKind+":="+kindEv+" source:="+quote(ev.Source)+" | stats max(line) as m")
		if err != nil {
			return fmt.Errorf("victorialogs: %s: %w", printable(ev.Source), err)
		}
		src = &sourceSeen{storeMax: -1 << 63, maxLine: -1 << 63}
		if len(rows) > 0 && rows[0]["m"] != "" {
			if src.storeMax, err = strconv.ParseInt(rows[0]["m"], 10, 64); err != nil {
				return fmt.Errorf("victorialogs: %s: highest line %q: %w", printable(ev.Source), rows[0]["m"], err)
			}
		}
		k.sources[ev.Source] = src
	}
	// Only a line number already in the store or already added may repeat.
	check := ev.Line <= src.storeMax || ev.Line <= src.maxLine
	src.maxLine = max(src.maxLine, ev.Line)
	row, err := eventRow(ev, k.batch)
	if err != nil {
		return fmt.Errorf("victorialogs: %s:%d: %w", printable(ev.Source), ev.Line, err)
	}
	if len(row) > maxRowBytes {
		return fmt.Errorf("victorialogs: %s:%d: the row is %d bytes, above the %d VictoriaLogs keeps", printable(ev.Source), ev.Line, len(row), maxRowBytes)
	}
	k.pending = append(k.pending, pendingRow{sentRow: sentRow{id, ev.Source, ev.Line, ev.Time}, row: row, check: check})
	k.ids[id] = true
	k.pendBytes += len(row) + 1
	if k.pendBytes >= k.batchBytes() {
		return k.send()
	}
	return nil
}

func (k *Sink) batchBytes() int {
	if k.BatchBytes > 0 {
		return k.BatchBytes
	}
	return DefaultBatchBytes
}

// send POSTs the pending rows, leaving out those the store already holds.
func (k *Sink) send() error {
	if len(k.pending) == 0 {
		return nil
	}
	var ask []string
	for _, p := range k.pending {
		if p.check {
			ask = append(ask, p.id)
		}
	}
	have, err := k.existing(ask)
	if err != nil {
		return err
	}
	k.buf.Reset()
	n := 0
	for _, p := range k.pending {
		if have[p.id] {
			continue
		}
		k.buf.Write(p.row)
		k.buf.WriteByte('\n')
		k.sent = append(k.sent, p.sentRow)
		n++
	}
	if n > 0 {
		if err := k.s.c.insert(k.ctx, k.buf.Bytes(), eventSF); err != nil {
			return err
		}
		k.dirty = true
	}
	k.pending, k.pendBytes = k.pending[:0], 0
	clear(k.ids)
	k.buf.Reset()
	return nil
}

// existing returns which of ids the store holds, making what this sink
// sent searchable first.
func (k *Sink) existing(ids []string) (map[string]bool, error) {
	have := map[string]bool{}
	if len(ids) == 0 {
		return have, nil
	}
	if k.dirty {
		if err := k.s.c.flush(k.ctx); err != nil {
			return nil, err
		}
		k.dirty = false
	}
	// As many ids per query as the server's query length allows (about
	// 450): 500 made a 17.5 KB query that a default server refuses.
	qs := make([]string, len(ids))
	for i, id := range ids {
		qs[i] = quote(id)
	}
	for _, q := range packQueries(fKind+":="+kindEv+" "+fID+":in(", ",", ") | uniq by ("+fID+")", qs) {
		err := k.s.c.query(k.ctx, q, func(r map[string]string) error {
			have[r[fID]] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return have, nil
}

// Commit sends what is pending, makes it searchable, checks that the
// store kept every row of this commit, and then records the checkpoints:
// a checkpoint is never stored ahead of its events.
func (k *Sink) Commit(cps ...model.Checkpoint) error {
	if k.closed {
		return errClosed
	}
	if err := k.ctx.Err(); err != nil {
		return fmt.Errorf("victorialogs: commit: %w", err)
	}
	if err := k.send(); err != nil {
		return err
	}
	if err := k.verify(fKind+":="+kindEv, k.batch, len(k.sent)); err != nil {
		return k.lost(err)
	}
	if len(cps) > 0 {
		var body bytes.Buffer
		for _, cp := range cps {
			js, err := json.Marshal(cp)
			if err != nil {
				return fmt.Errorf("victorialogs: checkpoint %q: %w", cp.Key, err)
			}
			// Checkpoints are ordered by the time they are written, made
			// strictly increasing within this sink.
			now := time.Now().UTC()
			if !now.After(k.cpTime) {
				now = k.cpTime.Add(time.Nanosecond)
			}
			k.cpTime = now
			row, err := json.Marshal(map[string]string{
				fKind: kindCP, fCPKey: cp.Key, fCP: string(js), fBatch: k.batch,
				fTime: fmtTime(now), fMsgRaw: "checkpoint " + cp.Key,
			})
			if err != nil {
				return fmt.Errorf("victorialogs: checkpoint %q: %w", cp.Key, err)
			}
			body.Write(row)
			body.WriteByte('\n')
		}
		if err := k.s.c.insert(k.ctx, body.Bytes(), otherSF); err != nil {
			return err
		}
		k.dirty = true
		if err := k.verify(fKind+":="+kindCP, k.batch, len(cps)); err != nil {
			return err
		}
	}
	k.nextBatch()
	return nil
}

// DefaultSettle is how long a commit waits at most for its rows to become
// searchable.
const DefaultSettle = 10 * time.Second

// verify makes the rows sent searchable and checks that the store holds
// want rows of kind (a filter) from the current batch.
//
// A cluster frontend's force flush sends the rows it buffers and flushes
// the storage nodes, but does not wait for a block its background flusher
// (once a second) is sending at that moment (VictoriaLogs v1.52.1,
// app/vlstorage/netinsert): on a busy machine a commit counted a few
// hundred rows short, though every row reached a storage node a moment
// later, and a 10M-line ingest stopped on that. So a short count is asked
// again, flushing each time, until it is whole or Settle has passed; rows
// the server really dropped (retention, size, a body read as a form) never
// appear and are reported then.
func (k *Sink) verify(kind, batch string, want int) error {
	if want == 0 {
		return nil
	}
	settle := k.Settle
	if settle <= 0 {
		settle = DefaultSettle
	}
	deadline := time.Now().Add(settle)
	wait := 50 * time.Millisecond
	for {
		if err := k.s.c.flush(k.ctx); err != nil {
			return err
		}
		k.dirty = false
		got, err := k.s.count(k.ctx, kind+" "+fBatch+":="+quote(batch))
		if err != nil {
			return err
		}
		if got == want {
			return nil
		}
		if got > want || !time.Now().Add(wait).Before(deadline) {
			return &lostError{got: got, want: want, kind: kind}
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-k.ctx.Done():
			t.Stop()
			return fmt.Errorf("victorialogs: commit: %w", k.ctx.Err())
		}
		wait = min(2*wait, time.Second)
	}
}

// lost adds to a verify error the first row of the batch the store does
// not hold, by file, line and time.
func (k *Sink) lost(err error) error {
	var le *lostError
	if !errors.As(err, &le) {
		return err
	}
	have := map[string]bool{}
	q := fKind + ":=" + kindEv + " " + fBatch + ":=" + quote(k.batch) + " | uniq by (" + fID + ")"
	if qerr := k.s.c.query(k.ctx, q, func(r map[string]string) error {
		have[r[fID]] = true
		return nil
	}); qerr != nil {
		return err
	}
	for _, r := range k.sent {
		if !have[r.id] {
			le.first = fmt.Sprintf("%s:%d (time %s)", printable(r.source), r.line, r.time.UTC().Format(time.RFC3339Nano))
			break
		}
	}
	return le
}

// lostError says that the server kept fewer rows than it was sent.
type lostError struct {
	got, want int
	kind      string
	first     string // the first row lost, when known
}

func (e *lostError) Error() string {
	first := ""
	if e.first != "" {
		first = ", the first lost is " + e.first
	}
	return fmt.Sprintf("victorialogs: the store kept %d of the %d rows sent (%s)%s: VictoriaLogs drops rows outside its -retentionPeriod (default 7d) or -futureRetention (default 2d), lines above -insert.maxLineSizeBytes, and the first 10 MiB of a body it reads as a form", e.got, e.want, e.kind, first)
}

// AddDeploys stores the deploys the store does not hold yet (same time,
// service, version and commit) and returns how many were new.
func (k *Sink) AddDeploys(ds []model.Deploy) (int, error) {
	if k.closed {
		return 0, errClosed
	}
	k.deploys++
	batch := k.run + "-d" + strconv.Itoa(k.deploys)
	have := map[string]bool{}
	err := k.s.c.query(k.ctx, fKind+":="+kindDep+" | uniq by ("+fID+")", func(r map[string]string) error {
		have[r[fID]] = true
		return nil
	})
	if err != nil {
		return 0, err
	}
	var body bytes.Buffer
	n := 0
	for i := range ds {
		d := &ds[i]
		if d.Time.Before(minTime) || d.Time.After(maxTime) {
			return 0, fmt.Errorf("victorialogs: deploy %s:%d: time %s is outside what VictoriaLogs can store", printable(d.Source), d.Line, d.Time.Format(time.RFC3339Nano))
		}
		id := deployID(d)
		if have[id] {
			continue
		}
		have[id] = true
		row, err := deployRow(d, batch)
		if err != nil {
			return 0, fmt.Errorf("victorialogs: deploy %s:%d: %w", printable(d.Source), d.Line, err)
		}
		body.Write(row)
		body.WriteByte('\n')
		n++
	}
	if n == 0 {
		return 0, nil
	}
	if err := k.s.c.insert(k.ctx, body.Bytes(), otherSF); err != nil {
		return 0, err
	}
	k.dirty = true
	if err := k.verify(fKind+":="+kindDep, batch, n); err != nil {
		return 0, err
	}
	return n, nil
}

// Close discards what was not committed. The store stays usable.
func (k *Sink) Close() error {
	k.closed = true
	k.pending, k.ids = nil, nil
	return nil
}
