package remote

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// Client queries the process serving an index. It keeps no connection
// open between calls, so it holds nothing of the index: it is safe for
// concurrent use and Close is a no-op. When the serving process ends, calls
// fail with an error wrapping ErrNoServer.
type Client struct {
	path string
	dir  string
}

// dialTimeout bounds a connect to a live socket (the backlog may be full).
const dialTimeout = 2 * time.Second

// Dial returns a client of the process serving the index in dir, after
// checking that one answers; it returns an error wrapping ErrNoServer when
// none does (no socket, or one left by a process that died).
func Dial(ctx context.Context, dir string) (*Client, error) {
	c := NewClient(dir)
	if _, err := c.do(ctx, &request{Method: mPing}); err != nil {
		return nil, err
	}
	return c, nil
}

// NewClient returns a client of the index in dir without checking that a
// process serves it: each call then fails with an error wrapping
// ErrNoServer when none does, which saves a round trip for a caller that
// has somewhere else to go.
func NewClient(dir string) *Client { return &Client{path: SocketPath(dir), dir: dir} }

// Close releases nothing: a Client holds no connection between calls.
func (c *Client) Close() error { return nil }

// do sends one request on a new connection and reads its response.
func (c *Client) do(ctx context.Context, q *request) (*response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("index %s: %w", c.dir, ErrNoServer)
		}
		return nil, fmt.Errorf("index %s: connect to its writer: %w", c.dir, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := gob.NewEncoder(conn).Encode(q); err != nil {
		return nil, c.failed(ctx, err)
	}
	var r response
	if err := gob.NewDecoder(io.LimitReader(conn, maxResponse)).Decode(&r); err != nil {
		return nil, c.failed(ctx, err)
	}
	if r.Err != "" {
		return nil, &Error{Msg: r.Err, kind: r.Kind}
	}
	return &r, nil
}

// failed names a transport failure: the context's error when it was
// cancelled, ErrNoServer when the server went away mid-call.
func (c *Client) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("index %s: its writer went away: %w", c.dir, ErrNoServer)
	}
	return fmt.Errorf("index %s: query its writer: %w", c.dir, err)
}

// Find returns the events matching f, a page at a time.
func (c *Client) Find(ctx context.Context, f model.Filter, o model.FindOptions) (model.Result, error) {
	r, err := c.do(ctx, &request{Method: mFind, Filter: f, Options: o})
	if err != nil {
		return model.Result{}, err
	}
	return r.Result, nil
}

// Facet returns the distribution of one field over the events f matches.
func (c *Client) Facet(ctx context.Context, f model.Filter, field string, size int) (model.Facet, error) {
	r, err := c.do(ctx, &request{Method: mFacet, Filter: f, Field: field, Size: size})
	if err != nil {
		return model.Facet{}, err
	}
	return r.Facet, nil
}

// Facets returns several facets over one filter in one round trip.
func (c *Client) Facets(ctx context.Context, f model.Filter, fields []string, size int) ([]model.Facet, error) {
	r, err := c.do(ctx, &request{Method: mFacets, Filter: f, Fields: fields, Size: size})
	if err != nil {
		return nil, err
	}
	return r.Facets, nil
}

// GroupSummaries lists the values of field over the events f matches, each
// with its count, first and last event and the facets of fields over its
// events, in one round trip (query.GroupSummarizer).
func (c *Client) GroupSummaries(ctx context.Context, f model.Filter, field string, fields []string, size int) ([]model.GroupSummary, error) {
	r, err := c.do(ctx, &request{Method: mGroupSummaries, Filter: f, Field: field, Fields: fields, Size: size})
	if err != nil {
		return nil, err
	}
	return r.Groups, nil
}

// Histogram counts the events matching f in n buckets over [from, to).
func (c *Client) Histogram(ctx context.Context, f model.Filter, from, to time.Time, n int) ([]model.TimeBucket, error) {
	r, err := c.do(ctx, &request{Method: mHistogram, Filter: f, From: from, To: to, N: n})
	if err != nil {
		return nil, err
	}
	return r.Buckets, nil
}

// Deploys returns the deploy history, oldest first.
func (c *Client) Deploys(ctx context.Context) ([]model.Deploy, error) {
	r, err := c.do(ctx, &request{Method: mDeploys})
	if err != nil {
		return nil, err
	}
	return r.Deploys, nil
}

// Span describes the served index.
func (c *Client) Span(ctx context.Context) (model.Span, error) {
	r, err := c.do(ctx, &request{Method: mSpan})
	if err != nil {
		return model.Span{}, err
	}
	return r.Span, nil
}

// FindEach calls fn with every event matching f in o.Order as the serving
// process finds it (o.Limit <= 0: all of them) and returns the number of
// matches: a large result is streamed, never held whole. When fn fails the
// call stops and returns its error.
func (c *Client) FindEach(ctx context.Context, f model.Filter, o model.FindOptions, fn func(*model.Event) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return 0, fmt.Errorf("index %s: %w", c.dir, ErrNoServer)
		}
		return 0, fmt.Errorf("index %s: connect to its writer: %w", c.dir, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := gob.NewEncoder(conn).Encode(&request{Method: mFindEach, Filter: f, Options: o}); err != nil {
		return 0, c.failed(ctx, err)
	}
	dec := gob.NewDecoder(conn)
	for {
		var fr frame
		if err := dec.Decode(&fr); err != nil {
			return 0, c.failed(ctx, err)
		}
		if fr.Done {
			if fr.Err != "" {
				return fr.Total, &Error{Msg: fr.Err, kind: fr.Kind}
			}
			return fr.Total, nil
		}
		if fr.Event == nil {
			return 0, fmt.Errorf("index %s: a malformed answer from its writer", c.dir)
		}
		if err := fn(fr.Event); err != nil {
			return 0, err // closing the connection cancels the server's query
		}
	}
}
