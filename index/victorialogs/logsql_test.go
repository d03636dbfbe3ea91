package victorialogs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// A LogsQL filter selects events as the same filter in culprit's syntax
// does, in the same order and pages; it never returns deploy or checkpoint
// rows; a filter the server rejects is ErrInvalidQuery.
func TestFindLogsQL(t *testing.T) {
	s := openStore(t, vltest.Start(t))
	evs, ds := storetest.Corpus()
	load(t, s, evs, ds)
	cases := []struct {
		logsql string
		f      model.Filter
	}{
		{`service:=orders level:=error`, model.Filter{Service: "orders", Level: "error"}},
		{`*`, model.Filter{}},
		{`status:>=500 or user:=bob`, model.Filter{Query: "status:>=500 OR user:bob"}},
		{`x) or (*`, model.Filter{}}, // cannot escape to deploy rows
	}
	for _, c := range cases {
		for _, o := range []model.FindOptions{{Limit: 100}, {Limit: 2, Offset: 1, Order: model.NewestFirst}} {
			want, err := s.Find(t.Context(), c.f, o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.FindLogsQL(t.Context(), c.logsql, o)
			if err != nil {
				t.Errorf("FindLogsQL(%q): %v", c.logsql, err)
				continue
			}
			if fmt.Sprint(lineKeys(got.Events)) != fmt.Sprint(lineKeys(want.Events)) || got.Total != want.Total {
				t.Errorf("FindLogsQL(%q, %+v) = %v total %d, want %v total %d", c.logsql, o, lineKeys(got.Events), got.Total, lineKeys(want.Events), want.Total)
			}
		}
	}
	for _, bad := range []string{`service:=`, `(a`, `* | limit 1`} {
		if _, err := s.FindLogsQL(t.Context(), bad, model.FindOptions{}); !errors.Is(err, model.ErrInvalidQuery) {
			t.Errorf("FindLogsQL(%q) error %v, want ErrInvalidQuery", bad, err)
		}
	}
}
