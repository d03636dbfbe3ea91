package query

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// The benchmarks run over the in-memory fake, whose every call scans all
// events: they measure query's own work and report the Store round trips
// per operation, the number that decides the cost over a real index.

func benchCorpus() *corpus {
	c := incidentCorpus()
	// A denser day: 20k more healthy lines.
	c.traffic("gateway", "gw", routes, users(200), t0, t0.Add(2*time.Hour), 360*time.Millisecond)
	return c
}

func BenchmarkRequest(b *testing.B) {
	st := multiStore{benchCorpus().store()}
	inv := New(st, Options{})
	b.ReportAllocs()
	st.resetCalls()
	for b.Loop() {
		if _, err := inv.Request(b.Context(), "reg-3"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.totalCalls())/float64(b.N), "calls/op")
}

func BenchmarkErrors(b *testing.B) {
	st := multiStore{benchCorpus().store()}
	inv := New(st, Options{})
	b.ReportAllocs()
	st.resetCalls()
	for b.Loop() {
		if _, err := inv.Errors(b.Context(), ErrorsOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.totalCalls())/float64(b.N), "calls/op")
}

func BenchmarkWriteReportText(b *testing.B) {
	r, err := New(incidentStore(), Options{}).Request(b.Context(), "reg-3")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteReportText(io.Discard, r, TextOptions{Width: 120, Color: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteReportJSON(b *testing.B) {
	r, err := New(incidentStore(), Options{}).Request(b.Context(), "reg-3")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteReportJSON(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkSanitize(b *testing.B) {
	clean := strings.Repeat("GET /api/orders/{id} handler failed: nil map ", 4)
	dirty := clean + "\x1b[31m\u009b\x07"
	b.ReportAllocs()
	b.SetBytes(int64(len(clean) + len(dirty)))
	for b.Loop() {
		_ = SanitizeLine(clean)
		_ = SanitizeLine(dirty)
	}
}
