package victorialogs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnavailable is wrapped by every error that means the store could not
// give a whole answer: the server or one of its storage nodes is down or
// unreachable, it answered with a server error, or an answer stopped
// midway. culprit reports it and shows nothing rather than part of the
// data.
var ErrUnavailable = errors.New("victorialogs: store unavailable or answer incomplete")

// HTTPError is a non-2xx answer from the server.
type HTTPError struct {
	Op     string // what culprit asked: "query", "insert", "flush"
	Status int
	Body   string // the start of the answer, which says what went wrong
}

func (e *HTTPError) Error() string {
	if e.Status >= 500 {
		return fmt.Sprintf("victorialogs %s: HTTP %d: the store is not whole (a storage node down?), so culprit shows and writes nothing rather than part: %s", e.Op, e.Status, e.Body)
	}
	return fmt.Sprintf("victorialogs %s: HTTP %d: %s", e.Op, e.Status, e.Body)
}

// Unwrap makes a 5xx answer (a storage node down answers 502) an
// ErrUnavailable.
func (e *HTTPError) Unwrap() error {
	if e.Status >= 500 {
		return ErrUnavailable
	}
	return nil
}

// printable escapes what a terminal would interpret (control characters,
// invalid UTF-8) in text from the server, which may quote log lines.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// jsonStreamType is the only content type the writer sends. With a form
// content type VictoriaLogs reads the body as a form: it silently drops the
// first 10 MiB and still answers 200.
const jsonStreamType = "application/stream+json"

// client talks HTTP to one VictoriaLogs endpoint (a single node or a
// cluster frontend).
type client struct {
	cfg  Config
	http *http.Client
	// slots holds a token per query at the server (maxInFlight); nil: no
	// bound.
	slots chan struct{}
}

// endpoint returns the URL of path with the query parameters.
func (c *client) endpoint(path string, params url.Values) string {
	u := *c.cfg.Base
	u.Path += path
	u.RawQuery = params.Encode()
	return u.String()
}

// do sends a request with the tenant and credentials and checks the status.
func (c *client) do(ctx context.Context, op, method, path string, params url.Values, ctype string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint(path, params), body)
	if err != nil {
		return nil, fmt.Errorf("victorialogs %s: %w", op, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.cfg.AccountID != "" {
		req.Header.Set("AccountID", c.cfg.AccountID)
	}
	if c.cfg.ProjectID != "" {
		req.Header.Set("ProjectID", c.cfg.ProjectID)
	}
	if c.cfg.User != "" || c.cfg.Password != "" {
		req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("victorialogs %s: %w", op, ctxErr)
		}
		return nil, fmt.Errorf("victorialogs %s at %s: %w: %w", op, redact(c.cfg.Base), ErrUnavailable, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return nil, &HTTPError{Op: op, Status: resp.StatusCode, Body: printable(strings.TrimSpace(string(b)))}
	}
	return resp, nil
}

// query runs a LogsQL query and calls fn with each row of the answer, in
// the order the server sends them. A partial answer is never accepted
// (allow_partial_response=0 overrides a server's default), and an answer
// cut short is an ErrUnavailable.
func (c *client) query(ctx context.Context, q string, fn func(row map[string]string) error) error {
	if c.slots != nil {
		select {
		case c.slots <- struct{}{}:
			defer func() { <-c.slots }()
		case <-ctx.Done():
			return fmt.Errorf("victorialogs query: %w", ctx.Err())
		}
	}
	form := url.Values{"query": {q}, "allow_partial_response": {"0"}}
	resp, err := c.do(ctx, "query", http.MethodPost, "/select/logsql/query", nil,
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		row := map[string]string{}
		err := dec.Decode(&row)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("victorialogs query: %w", ctxErr)
			}
			return fmt.Errorf("victorialogs query: reading the answer: %w: %w", ErrUnavailable, err)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// queryRows runs a query whose answer is small (stats) and returns its rows.
func (c *client) queryRows(ctx context.Context, q string) ([]map[string]string, error) {
	var rows []map[string]string
	err := c.query(ctx, q, func(r map[string]string) error {
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

// insert POSTs rows (JSON lines) to /insert/jsonline with streamFields.
func (c *client) insert(ctx context.Context, body []byte, streamFields string) error {
	params := url.Values{
		"_time_field":    {"_time"},
		"_msg_field":     {"_msg"},
		"_stream_fields": {streamFields},
	}
	resp, err := c.do(ctx, "insert", http.MethodPost, "/insert/jsonline", params, jsonStreamType, bytes.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// flush makes every row inserted so far searchable.
func (c *client) flush(ctx context.Context) error {
	resp, err := c.do(ctx, "flush", http.MethodGet, "/internal/force_flush", nil, "", nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// maxQueryBytes is the longest query culprit sends: VictoriaLogs refuses
// longer ones by default (-search.maxQueryLen, 16 KiB) with a 400.
const maxQueryBytes = 16 << 10

// packQueries joins terms with sep into as few queries prefix+…+suffix as
// keep each within maxQueryBytes (a term longer than that alone still
// makes a query of its own, which the server refuses with its reason).
func packQueries(prefix, sep, suffix string, terms []string) []string {
	var out []string
	var b strings.Builder
	n := 0
	for _, t := range terms {
		if n > 0 && b.Len()+len(sep)+len(t)+len(suffix) > maxQueryBytes {
			b.WriteString(suffix)
			out = append(out, b.String())
			b.Reset()
			n = 0
		}
		if n == 0 {
			b.WriteString(prefix)
		} else {
			b.WriteString(sep)
		}
		b.WriteString(t)
		n++
	}
	if n > 0 {
		b.WriteString(suffix)
		out = append(out, b.String())
	}
	return out
}
