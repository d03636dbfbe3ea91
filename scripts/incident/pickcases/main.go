// Command pickcases reads a generated incident (logs/*.jsonl, deploys.json,
// timeline.json) and prints cases.json: real request IDs for each kind of
// failure the incident contains, with what an investigation must conclude.
//
// It knows the four services' log shapes (it is not culprit's ingester) and
// picks, for each case, a request whose whole chain is in the logs and whose
// root error is logged strictly before the gateway's wrapper.
//
// It imports only the standard library.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// line is one log line, reduced to what the picker needs.
type line struct {
	svc    string
	file   string
	n      int
	t      time.Time
	rid    string
	level  string // lowercase
	msg    string
	route  string
	user   string
	status int
	err    string
	stack  string
}

type deploy struct {
	Time    time.Time `json:"time"`
	Service string    `json:"service"`
	Version string    `json:"version"`
}

type timeline struct {
	Traffic struct{ Start, End time.Time } `json:"traffic"`
	Outage  struct{ Start, End time.Time } `json:"outage"`
}

// Case is one entry of cases.json.
type Case struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	RequestID   string         `json:"request_id"`
	Expect      map[string]any `json:"expect"`
}

func main() {
	dir := flag.String("dir", "testdata/incident", "incident directory")
	flag.Parse()
	cases, err := pick(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pickcases:", err)
		os.Exit(1)
	}
	out, _ := json.MarshalIndent(cases, "", "  ")
	fmt.Println(string(out))
}

func str(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

func num(m map[string]any, keys ...string) float64 {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return 0
		}
		v = mm[k]
	}
	f, _ := v.(float64)
	return f
}

var pinoLevels = map[float64]string{10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal"}

// parse reads one service's file in that service's own convention.
func parse(path, svc string) ([]line, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []line
	for i, raw := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		l := line{svc: svc, file: filepath.Base(path), n: i + 1}
		switch svc {
		case "gateway":
			l.t = time.UnixMilli(int64(num(m, "time"))).UTC()
			l.level = pinoLevels[num(m, "level")]
			l.msg, l.rid, l.user = str(m, "msg"), str(m, "req", "id"), str(m, "user_id")
			l.status = int(num(m, "res", "statusCode"))
			l.route = str(m, "req", "method") + " " + strings.SplitN(str(m, "req", "url"), "?", 2)[0]
			l.err, l.stack = str(m, "err", "message"), str(m, "err", "stack")
		case "orders":
			l.t, err = time.Parse(time.RFC3339Nano, str(m, "time"))
			l.level, l.msg = strings.ToLower(str(m, "level")), str(m, "msg")
			l.rid, l.user, l.route = str(m, "request_id"), str(m, "user_id"), str(m, "route")
			l.status, l.err, l.stack = int(num(m, "status")), str(m, "error"), str(m, "stack")
		case "inventory":
			l.t, err = time.Parse(time.RFC3339Nano, str(m, "timestamp"))
			l.level, l.msg = str(m, "level"), str(m, "event")
			l.rid, l.user, l.route = str(m, "request_id"), str(m, "user_id"), str(m, "route")
			l.status, l.stack = int(num(m, "status")), str(m, "exception")
			if l.stack != "" {
				lines := strings.Split(l.stack, "\n")
				l.err = lines[len(lines)-1]
			}
		case "db":
			l.t, err = time.Parse(time.RFC3339, str(m, "time"))
			l.level, l.msg, l.rid = str(m, "level"), str(m, "message"), str(m, "request_id")
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, l)
	}
	return out, nil
}

type corpus struct {
	lines   []line
	byReq   map[string][]line
	deploys []deploy
	tl      timeline
}

func load(dir string) (*corpus, error) {
	c := &corpus{byReq: map[string][]line{}}
	for _, svc := range []string{"gateway", "orders", "inventory", "db"} {
		ls, err := parse(filepath.Join(dir, "logs", svc+".jsonl"), svc)
		if err != nil {
			return nil, err
		}
		c.lines = append(c.lines, ls...)
	}
	sort.SliceStable(c.lines, func(i, j int) bool { return c.lines[i].t.Before(c.lines[j].t) })
	for _, l := range c.lines {
		if l.rid != "" {
			c.byReq[l.rid] = append(c.byReq[l.rid], l)
		}
	}
	for name, v := range map[string]any{"deploys.json": &c.deploys, "timeline.json": &c.tl} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return c, nil
}

func (c *corpus) deployOf(svc, version string) (deploy, error) {
	for _, d := range c.deploys {
		if d.Service == svc && d.Version == version {
			return d, nil
		}
	}
	return deploy{}, fmt.Errorf("no deploy of %s %s in deploys.json", svc, version)
}

// chained reports whether root's request has a gateway wrapper logged strictly
// after root (the gateway's clock has millisecond precision, so a wrapper in
// the same millisecond does not count) and a gateway access line.
func (c *corpus) chained(root line) bool {
	wrapper, access := false, false
	for _, l := range c.byReq[root.rid] {
		if l.svc != "gateway" {
			continue
		}
		if strings.HasPrefix(l.msg, "upstream ") && l.t.After(root.t) {
			wrapper = true
		}
		if l.status >= 500 {
			access = true
		}
	}
	return wrapper && access
}

// errorsWhere lists root errors (one per request, oldest first) that match.
func (c *corpus) errorsWhere(match func(line) bool) []line {
	seen := map[string]bool{}
	var out []line
	for _, l := range c.lines {
		if l.svc == "gateway" || l.level != "error" || l.err == "" || seen[l.rid] || !match(l) {
			continue
		}
		seen[l.rid] = true
		out = append(out, l)
	}
	return out
}

func pick(dir string) ([]Case, error) {
	c, err := load(dir)
	if err != nil {
		return nil, err
	}
	reg, err := c.deployOf("orders", "1.9.0")
	if err != nil {
		return nil, err
	}
	gw, err := c.deployOf("gateway", "2.4.1")
	if err != nil {
		return nil, err
	}
	var cases []Case

	// The regression: a later panic, before the outage, that a user reported.
	panics := c.errorsWhere(func(l line) bool {
		return l.svc == "orders" && strings.Contains(l.stack, "main.loyaltyDiscount")
	})
	var cand []line
	for _, l := range panics[min(1, len(panics)):] {
		if l.t.Before(c.tl.Outage.Start) && c.chained(l) {
			cand = append(cand, l)
		}
	}
	if len(cand) == 0 {
		return nil, errors.New("no chained regression panic after the first and before the outage")
	}
	r := cand[len(cand)/2]
	cases = append(cases, Case{
		Name: "regression",
		Description: fmt.Sprintf("a customer on the legacy plan opens an order %s after orders 1.9.0 went out and gets a 502; the panic's first occurrence is %s after that deploy",
			r.t.Sub(reg.Time).Round(time.Second), panics[0].t.Sub(reg.Time).Round(time.Millisecond)),
		RequestID: r.rid,
		Expect: map[string]any{
			"cause": "deployment-regression", "service": "orders", "route": "GET /api/orders/{id}",
			"suspect_version": "1.9.0", "stack_contains": "loyaltyDiscount",
			"first_request_id": panics[0].rid,
		},
	})

	// The outage: db unreachable, on an endpoint other than the regression's.
	refused := c.errorsWhere(func(l line) bool {
		return l.svc == "orders" && strings.Contains(l.err, "connection refused")
	})
	cand = cand[:0]
	for _, l := range refused {
		if l.route != "GET /api/orders/{id}" && c.chained(l) {
			cand = append(cand, l)
		}
	}
	if len(cand) == 0 {
		return nil, errors.New("no chained connection-refused error")
	}
	o := cand[len(cand)/2]
	cases = append(cases, Case{
		Name: "outage",
		Description: fmt.Sprintf("during the db outage (%s to %s) %s fails with connection refused; the gateway 2.4.1 deploy %s before the first failure must not be blamed",
			c.tl.Outage.Start.Format(time.TimeOnly), c.tl.Outage.End.Format(time.TimeOnly), o.route,
			refused[0].t.Sub(gw.Time).Round(time.Second)),
		RequestID: o.rid,
		Expect: map[string]any{
			"cause": "dependency-failure", "service": "orders", "route": o.route,
			"error_contains": "connection refused", "first_request_id": refused[0].rid,
		},
	})

	// The pre-existing error: a KeyError after the gateway deploy, so that the
	// nearest deploy in time is an unrelated one.
	keyErrs := c.errorsWhere(func(l line) bool {
		return l.svc == "inventory" && strings.Contains(l.stack, "KeyError: 'sku'")
	})
	cand = cand[:0]
	for _, l := range keyErrs {
		outage := !l.t.Before(c.tl.Outage.Start) && l.t.Before(c.tl.Outage.End.Add(15*time.Second))
		if l.t.After(gw.Time) && !outage && c.chained(l) {
			cand = append(cand, l)
		}
	}
	if len(cand) == 0 {
		for _, l := range keyErrs[min(1, len(keyErrs)):] {
			if c.chained(l) {
				cand = append(cand, l)
			}
		}
	}
	if len(cand) == 0 {
		return nil, errors.New("no chained KeyError after the first")
	}
	p := cand[0]
	when := "a catalog search for a gift card fails"
	if p.t.After(gw.Time) {
		when += fmt.Sprintf(" %s after the unrelated gateway 2.4.1 deploy", p.t.Sub(gw.Time).Round(time.Second))
	}
	cases = append(cases, Case{
		Name: "preexisting",
		Description: fmt.Sprintf("%s; the same KeyError has happened since %s after traffic started, so no deploy in the logs explains it",
			when, keyErrs[0].t.Sub(c.tl.Traffic.Start).Round(time.Second)),
		RequestID: p.rid,
		Expect: map[string]any{
			"cause": "pre-existing", "service": "inventory", "route": "GET /api/catalog/search",
			"stack_contains": "present", "error_contains": "KeyError", "first_request_id": keyErrs[0].rid,
		},
	})

	// A success that crossed three services after the regression deploy.
	var ok, clientErr string
	for _, l := range c.lines {
		if ok != "" && clientErr != "" {
			break
		}
		outage := !l.t.Before(c.tl.Outage.Start) && l.t.Before(c.tl.Outage.End.Add(15*time.Second))
		if l.svc != "gateway" || l.status == 0 || l.t.Before(reg.Time) || outage {
			continue
		}
		svcs, worst, errs := map[string]bool{}, 0, false
		for _, x := range c.byReq[l.rid] {
			svcs[x.svc] = true
			worst = max(worst, x.status)
			errs = errs || x.level == "error" || x.stack != ""
		}
		switch {
		case ok == "" && !errs && worst < 300 && svcs["orders"] && svcs["inventory"] && l.route == "POST /api/checkout":
			ok = l.rid
		case clientErr == "" && !errs && l.status == 404 && svcs["orders"] && strings.HasPrefix(l.route, "GET /api/orders/"):
			clientErr = l.rid
		}
	}
	if ok == "" || clientErr == "" {
		return nil, errors.New("no successful checkout or no 404 after the regression deploy, outside the outage")
	}
	cases = append(cases,
		Case{Name: "success", Description: "a checkout that went through gateway, orders and inventory",
			RequestID: ok, Expect: map[string]any{"found": true, "error": nil, "services": []string{"gateway", "inventory", "orders"}}},
		Case{Name: "client-error", Description: "a customer opens an order that does not exist: a 404 is not an error",
			RequestID: clientErr, Expect: map[string]any{"found": true, "error": nil}},
		Case{Name: "unknown", Description: "an id that is in no log",
			RequestID: "00000000-dead-beef-0000-000000000000", Expect: map[string]any{"found": false}},
	)
	return cases, nil
}
