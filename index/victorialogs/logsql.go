package victorialogs

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/culprit-dev/culprit/index/model"
)

// FindLogsQL is Find for a LogsQL filter written by the user (search
// --logsql): the events it selects, in the contract's order, a page at a
// time, with the total. Only event rows come back, whatever the filter
// says: the filter runs first and culprit keeps its own rows after it. A
// filter VictoriaLogs rejects is an error wrapping model.ErrInvalidQuery
// with the server's reason.
func (s *Store) FindLogsQL(ctx context.Context, logsql string, o model.FindOptions) (model.Result, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	offset := max(o.Offset, 0)
	desc := ""
	if o.Order == model.NewestFirst {
		desc = " desc"
	}
	base := "(" + logsql + ") | filter " + fKind + ":=" + kindEv
	page := fmt.Sprintf(" | sort by (_time%s, %s%s, %s%s) offset %d limit %d", desc, fSort, desc, fID, desc, offset, limit) + pipeFields(eventFields)
	decode := decodeEvent
	on, err := s.foreignMode(ctx)
	if err != nil {
		return model.Result{}, err
	}
	if on {
		// Shipped rows: the filter is over their own fields, so the server
		// answers it exactly; each row of the page is parsed.
		base = "(" + logsql + ") | filter " + foreignKind
		page = fmt.Sprintf(" | sort by (_time%s, _stream_id%s) offset %d limit %d", desc, desc, offset, limit)
		decode = func(r map[string]string) (model.Event, error) { return foreignEvent(s.fr.p, r) }
	}
	var res model.Result
	err = parallel(func() error {
		return s.c.query(ctx, base+page, func(r map[string]string) error {
			ev, err := decode(r)
			if err != nil {
				return err
			}
			res.Events = append(res.Events, ev)
			return nil
		})
	}, func() (err error) {
		res.Total, err = s.count(ctx, base)
		return err
	})
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusBadRequest {
		return model.Result{}, fmt.Errorf("logsql %q: %s: %w", logsql, he.Body, model.ErrInvalidQuery)
	}
	if err != nil {
		return model.Result{}, err
	}
	return res, nil
}
