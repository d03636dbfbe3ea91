package victorialogs

import (
	"testing"

	"github.com/culprit-dev/culprit/index/storetest"
)

// BenchmarkEventRow measures rendering one corpus event as an insert row.
func BenchmarkEventRow(b *testing.B) {
	evs, _ := storetest.Corpus()
	ev := &evs[8] // an error with a stack
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eventRow(ev, "batch"); err != nil {
			b.Fatal(err)
		}
	}
}
