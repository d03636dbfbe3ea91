package index_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/culprit-dev/culprit/index"
)

func ExampleOpen() {
	tmp, err := os.MkdirTemp("", "culprit-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, ".culprit")

	// Queries open an existing index read-only.
	_, err = index.Open(dir, index.Options{ReadOnly: true})
	fmt.Println("read-only before ingest:", errors.Is(err, index.ErrNotExist))

	// Ingest opens it exclusively, creating it.
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// A second writer (or reader) is refused while it is held.
	_, err = index.Open(dir, index.Options{ReadOnly: true})
	fmt.Println("while held:", errors.Is(err, index.ErrLocked))
	ix.Close()

	ro, err := index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer ro.Close()
	span, _ := ro.Span(context.Background())
	fmt.Println("events:", span.Events)
	// Output:
	// read-only before ingest: true
	// while held: true
	// events: 0
}

func ExampleWriter_Add() {
	dir, err := os.MkdirTemp("", "culprit-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer ix.Close()

	w, err := ix.NewWriter()
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	lines := []string{
		`{"ts":"2024-05-01T10:00:00Z","msg":"reserve stock","service":"inventory"}`,
		`{"ts":"2024-05-01T10:00:01Z","msg":"reserved","service":"inventory"}`,
	}
	var ev index.Event
	for i, l := range lines {
		ev = index.Event{
			Time:    time.Date(2024, 5, 1, 10, 0, i, 0, time.UTC),
			Service: "inventory",
			Source:  "inventory.log",
			Line:    int64(i + 1),
			Raw:     []byte(l), // copied by Add: the caller may reuse it
		}
		if err := w.Add(&ev); err != nil {
			log.Fatal(err)
		}
	}
	// Nothing is visible (or durable) until Commit, which records the
	// source's checkpoint atomically with its lines.
	cp := index.Checkpoint{Key: "/var/log/inventory.log", Lines: 2}
	if err := w.Commit(cp); err != nil {
		log.Fatal(err)
	}
	// Adding the same lines again is a no-op.
	for i, l := range lines {
		ev = index.Event{Source: "inventory.log", Line: int64(i + 1), Raw: []byte(l)}
		w.Add(&ev)
	}
	w.Commit()

	span, _ := ix.Span(context.Background())
	got, ok, _ := ix.Checkpoint("/var/log/inventory.log")
	fmt.Println(span.Events, "events; checkpoint:", ok, got.Lines)
	// Output: 2 events; checkpoint: true 2
}

func ExampleIndex_Find() {
	dir, err := os.MkdirTemp("", "culprit-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer ix.Close()
	w, _ := ix.NewWriter()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i, e := range []index.Event{
		{Service: "gateway", RequestID: "r-1", Path: "/v1/inventory/reserve", Message: "request started"},
		{Service: "inventory", RequestID: "r-1", Status: 500, Level: "error", IsError: true, Message: "reserve failed",
			Error: "dial tcp 10.0.0.7:5432: connection refused"},
		{Service: "gateway", RequestID: "r-2", Path: "/v1/orders", Status: 200, Message: "request done"},
	} {
		e.Time = t0.Add(time.Duration(i) * time.Second)
		e.Source, e.Line = "app.log", int64(i+1)
		e.Raw = fmt.Appendf(nil, `{"msg":%q,"path":%q,"error":%q}`, e.Message, e.Path, e.Error)
		w.Add(&e)
	}
	w.Commit()
	ctx := context.Background()

	// A request's lines, oldest first.
	res, _ := ix.Find(ctx, index.Filter{RequestID: "r-1"}, index.FindOptions{})
	for _, e := range res.Events {
		fmt.Println(e.Time.Format(time.TimeOnly), e.Service, e.Message)
	}
	// Words match anywhere (inside URLs and dotted names too), fields
	// match exactly; clauses are ANDed.
	for _, q := range []string{"reserve", `"connection refused" status:>=500`, "service:gateway -status:200"} {
		res, _ = ix.Find(ctx, index.Filter{Query: q}, index.FindOptions{Order: index.NewestFirst})
		fmt.Printf("%s: %d\n", q, res.Total)
	}
	// Output:
	// 10:00:00 gateway request started
	// 10:00:01 inventory reserve failed
	// reserve: 2
	// "connection refused" status:>=500: 1
	// service:gateway -status:200: 1
}
