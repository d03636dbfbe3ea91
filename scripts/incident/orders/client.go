package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// client calls one downstream service over HTTP, as a database driver or an
// RPC stub would: its errors name the dependency, not the URL.
type client struct {
	name string // dependency name: "db", "inventory"
	what string // the kind of call, for log messages: "query", "request"
	base string
	hc   *http.Client
}

func newClient(name, base string, timeout time.Duration) *client {
	what := "request"
	if name == "db" {
		what = "query"
	}
	return &client{name: name, what: what, base: base, hc: &http.Client{Timeout: timeout}}
}

// depError is a failed call to a dependency.
type depError struct {
	dep, what string
	err       error
}

func (e *depError) Error() string { return e.dep + ": " + e.err.Error() }
func (e *depError) Unwrap() error { return e.err }

type ridKey struct{}

// do sends a JSON request and decodes a 2xx JSON answer into out. It returns
// the status; any status below 500 is the caller's to interpret.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, *depError) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, c.wrap(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, c.wrap(err)
	}
	if rid, ok := ctx.Value(ridKey{}).(string); ok {
		req.Header.Set("X-Request-ID", rid)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, c.wrap(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return resp.StatusCode, c.wrap(fmt.Errorf("unexpected status %d", resp.StatusCode))
	}
	if resp.StatusCode < 300 && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, c.wrap(fmt.Errorf("decode response: %w", err))
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func (c *client) wrap(err error) *depError { return &depError{dep: c.name, what: c.what, err: err} }
