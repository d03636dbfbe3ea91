package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// config holds the generator's knobs; the same config gives the same bytes.
type config struct {
	Lines int64
	Seed  uint64
	Start time.Time
	Span  time.Duration
	Users int
}

// Levels of a record.
const (
	lvlDebug = iota
	lvlInfo
	lvlWarn
	lvlError
)

const (
	maxLinesPerRequest = 10
	bgShare            = 0.025 // share of loop steps that write a line outside any request
	estLinesPerRequest = 5.0   // calibrates the request rate so the span comes out right
	rolloutNS          = int64(90 * time.Second)
)

// release is one version of a service, running on its own pods.
type release struct {
	svc     int
	version string
	commit  string
	rev     int   // code revision: a rollback restores an older one
	from    int64 // unix ns
	hosts   []string
	pids    []int64
	bugs    uint64 // release-gated bugs this code carries
	author  string
	inWin   bool // deployed inside the generated window
	started bool // lifecycle lines written
}

// request is the state of the request being generated.
type request struct {
	n        int64
	id       string
	short    string
	t0       int64
	rt       *route
	user     int
	uid      string
	email    string
	order    int64
	item     int64
	product  int64
	payment  int64
	notif    int64
	ware     int64
	page     int64
	items    int64
	cart     string
	q        string
	qURL     string
	channel  string
	template string
	ua       string
	ip       string
	noLang   bool
	url      []byte
}

// rec is one log record before encoding.
type rec struct {
	t       int64
	svc     int
	rel     *release
	host    int
	level   int
	msg     string
	ep      *endpoint
	http    bool // carries method and path
	access  bool // carries status and duration
	status  int
	durNS   int64
	errType string
	errMsg  string
	stack   string
	bg      bool // outside any request
	gwReq   bool // pino: the req binding
	gwRes   bool // pino: res and responseTime
	kv      [8]kv
	nkv     int
}

func (r *rec) add(a kv) {
	if r.nkv < len(r.kv) {
		r.kv[r.nkv] = a
		r.nkv++
	}
}

// pending is a line waiting for its file; lines are written in time order.
type pending struct {
	t    int64
	seq  uint64
	line []byte
}

type lineHeap []pending

func (h lineHeap) less(i, j int) bool {
	return h[i].t < h[j].t || h[i].t == h[j].t && h[i].seq < h[j].seq
}

func (h *lineHeap) push(p pending) {
	*h = append(*h, p)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s.less(i, parent) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *lineHeap) pop() pending {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = pending{}
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s.less(l, m) {
			m = l
		}
		if r < n && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// bugStats records what happened to one bug.
type bugStats struct {
	count   int64
	users   map[int]bool // affected users
	keys    map[int]bool // endpoints (activity keys) it fired on
	firstT  int64
	firstID string
	lastT   int64
	samples []string // reservoir of failing request ids
	seen    int64
}

// userAt is one request of a user.
type userAt struct {
	t    int64
	user int32
}

// sample is a request picked for ids.txt.
type sample struct {
	ID      string `json:"id"`
	Failing bool   `json:"failing"`
	Bug     string `json:"bug,omitempty"`
	Route   string `json:"route"`
	Status  int    `json:"status"`
	Time    string `json:"time"`
}

// gen generates one corpus. It is single-threaded: every random draw happens
// in a fixed order, which is what makes the output byte-identical per seed.
type gen struct {
	cfg     config
	r       *rand.Rand
	pick    *rand.Rand // sampling for ids.txt, apart so it cannot perturb the corpus
	zipf    *rand.Zipf
	w       *world
	rels    [numServices][]*release
	deploys []*release // in time order, history first
	startNS int64
	spanNS  int64
	gapNS   float64
	meanDiu float64

	bugFrom  []int64
	bugUntil []int64
	stats    []bugStats
	// Activity, for the expected verdicts: per endpoint key, and overall,
	// which user made a request when.
	act    map[int][]userAt
	actAll []userAt
	firstT int64

	routeCum []float64
	userIDs  []string

	heaps [numServices]lineHeap
	outs  [numServices]*bufio.Writer
	seq   uint64

	queued    int64 // lines queued so far (the -lines budget)
	written   [numServices]int64
	bytes     [numServices]int64
	requests  int64
	failing   int64
	lastT     int64
	okSamples []sample
	okSeen    int64
	failPool  []sample
	failSeen  int64

	q       request
	recs    []rec
	buf     []byte
	pathBuf []byte
	errs    error
}

func newGen(cfg config, outs [numServices]io.Writer) *gen {
	g := &gen{
		cfg:     cfg,
		r:       rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)),
		pick:    rand.New(rand.NewPCG(cfg.Seed, 0x2545f4914f6cdd1d)),
		w:       newWorld(),
		startNS: cfg.Start.UnixNano(),
		spanNS:  int64(cfg.Span),
	}
	for i, o := range outs {
		g.outs[i] = bufio.NewWriterSize(o, 256<<10)
	}
	g.zipf = rand.NewZipf(g.r, 1.07, 8, uint64(cfg.Users-1))
	g.userIDs = make([]string, cfg.Users)
	for k := range g.userIDs {
		g.userIDs[k] = "u_" + strconv.Itoa(10000+(k*7919)%90000)
	}
	cum := 0.0
	for _, rt := range g.w.routes {
		cum += rt.weight
		g.routeCum = append(g.routeCum, cum)
	}
	g.planReleases()
	n := len(g.w.bugs)
	g.bugFrom = make([]int64, n)
	g.bugUntil = make([]int64, n)
	g.stats = make([]bugStats, n)
	g.act = map[int][]userAt{}
	for i, b := range g.w.bugs {
		g.bugFrom[i] = g.startNS + int64(b.onset*float64(g.spanNS))
		g.bugUntil[i] = math.MaxInt64
		if b.window > 0 {
			g.bugUntil[i] = g.bugFrom[i] + int64(b.window)
		}
	}
	// Mean of the diurnal curve over the span, so that the average request
	// rate fills the span with the requested number of lines.
	sum, steps := 0.0, 0
	for t := g.startNS; t < g.startNS+g.spanNS; t += int64(time.Minute) {
		sum += g.diurnal(t)
		steps++
	}
	g.meanDiu = sum / float64(steps)
	reqs := float64(cfg.Lines) * (1 - bgShare) / estLinesPerRequest
	g.gapNS = float64(g.spanNS) / math.Max(reqs, 1)
	return g
}

// diurnal is the relative traffic at t: a trough at 03:00 UTC, a peak at 15:00.
func (g *gen) diurnal(t int64) float64 {
	h := float64((t/int64(time.Second))%86400) / 3600
	return 1 + 0.65*math.Sin(2*math.Pi*(h-9)/24)
}

const podAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func (g *gen) podName(svc int, rs string) string {
	b := make([]byte, 0, 32)
	b = append(b, serviceNames[svc]...)
	b = append(b, '-')
	b = append(b, rs...)
	b = append(b, '-')
	for range 5 {
		b = append(b, podAlphabet[g.r.IntN(len(podAlphabet))])
	}
	return string(b)
}

func (g *gen) randomString(alpha string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[g.r.IntN(len(alpha))]
	}
	return string(b)
}

func (g *gen) planReleases() {
	byName := map[string]int{}
	for i, b := range g.w.bugs {
		byName[b.name] = i
	}
	plan := deployPlan()
	for _, d := range plan {
		// Deploys happen at odd minutes, not on the plan's round fractions.
		jitter := g.r.Int64N(int64(20*time.Minute)) - int64(10*time.Minute)
		var from int64
		if d.before > 0 {
			from = g.startNS - int64(d.before) + jitter
		} else {
			from = g.startNS + int64(d.at*float64(g.spanNS)) + jitter
		}
		from -= from % int64(time.Second)
		list := g.rels[d.svc]
		rel := &release{svc: d.svc, version: d.version, from: from, author: d.author, inWin: d.before == 0,
			commit: g.randomString(hexDigits, 40)}
		if len(list) > 0 {
			prev := list[len(list)-1]
			rel.bugs = prev.bugs
			rel.rev = prev.rev + 1
			for _, o := range list {
				if d.restore != "" && o.version == d.restore {
					rel.rev, rel.bugs, rel.commit = o.rev, o.bugs, o.commit
					break
				}
			}
		}
		for _, name := range d.intro {
			rel.bugs |= 1 << byName[name]
		}
		for _, name := range d.fix {
			rel.bugs &^= 1 << byName[name]
		}
		rs := g.randomString(podAlphabet, 9)
		for range podsPerService[d.svc] {
			rel.hosts = append(rel.hosts, g.podName(d.svc, rs))
			rel.pids = append(rel.pids, int64(1+g.r.IntN(40)))
		}
		g.rels[d.svc] = append(list, rel)
		g.deploys = append(g.deploys, rel)
	}
	sort.SliceStable(g.deploys, func(i, j int) bool { return g.deploys[i].from < g.deploys[j].from })
}

// releaseAt picks the release serving a call at t; during a rollout the new
// pods take over gradually.
func (g *gen) releaseAt(svc int, t int64) *release {
	list := g.rels[svc]
	i := sort.Search(len(list), func(i int) bool { return list[i].from > t }) - 1
	if i < 0 {
		i = 0
	}
	if i > 0 && t-list[i].from < rolloutNS && g.r.Int64N(rolloutNS) > t-list[i].from {
		i--
	}
	return list[i]
}

// run writes the whole corpus.
func (g *gen) run() error {
	t := g.startNS
	end := g.startNS + g.spanNS
	steps := int64(0)
	for g.queued < g.cfg.Lines {
		steps++
		if steps%1024 == 0 {
			// Re-aim the request rate so the remaining lines fill the
			// remaining time.
			perStep := float64(g.queued) / float64(steps)
			left := math.Max(float64(end-t), float64(g.spanNS)/1000)
			g.gapNS = left / (float64(g.cfg.Lines-g.queued) / perStep)
		}
		rate := g.diurnal(t) / g.meanDiu
		t += int64(g.r.ExpFloat64()*g.gapNS/rate) + 1
		g.lifecycle(t)
		g.flush(t)
		rem := g.cfg.Lines - g.queued
		if rem < 3 || g.r.Float64() < bgShare {
			g.background(t)
			continue
		}
		g.request(t, rem)
		if g.errs != nil {
			return g.errs
		}
	}
	g.flush(math.MaxInt64)
	for i := range g.outs {
		if err := g.outs[i].Flush(); err != nil {
			return fmt.Errorf("write %s: %w", serviceNames[i], err)
		}
	}
	return g.errs
}

func (g *gen) flush(upTo int64) {
	for s := range g.heaps {
		h := &g.heaps[s]
		for len(*h) > 0 && (*h)[0].t <= upTo {
			p := h.pop()
			if _, err := g.outs[s].Write(p.line); err != nil && g.errs == nil {
				g.errs = fmt.Errorf("write %s: %w", serviceNames[s], err)
			}
			g.written[s]++
			g.bytes[s] += int64(len(p.line))
			if p.t > g.lastT {
				g.lastT = p.t
			}
		}
	}
}

// queue encodes r and schedules it for its service's file.
func (g *gen) queue(r *rec) {
	g.buf = g.encode(g.buf[:0], r)
	g.buf = append(g.buf, '\n')
	line := make([]byte, len(g.buf))
	copy(line, g.buf)
	g.seq++
	g.heaps[r.svc].push(pending{t: r.t, seq: g.seq, line: line})
	g.queued++
	if g.firstT == 0 || r.t < g.firstT {
		g.firstT = r.t
	}
}

// lifecycle writes the start and stop lines of pods replaced by deploys
// that happen before t.
func (g *gen) lifecycle(t int64) {
	for _, rel := range g.deploys {
		if rel.started || !rel.inWin || rel.from > t {
			continue
		}
		rel.started = true
		list := g.rels[rel.svc]
		var prev *release
		for i, o := range list {
			if o == rel && i > 0 {
				prev = list[i-1]
			}
		}
		for h := range rel.hosts {
			if g.cfg.Lines-g.queued < 3 {
				return
			}
			at := rel.from + int64(h)*rolloutNS/int64(len(rel.hosts)) + g.r.Int64N(int64(5*time.Second))
			r := g.newRec(rel.svc, rel, h, at, lvlInfo, startMsg[rel.svc])
			r.add(kvs("commit", rel.commit[:12]))
			g.queue(r)
			if prev != nil && h < len(prev.hosts) {
				r := g.newRec(rel.svc, prev, h, at+int64(2*time.Second)+g.r.Int64N(int64(time.Second)), lvlInfo, stopMsg[rel.svc])
				r.add(kvs("signal", "SIGTERM"))
				g.queue(r)
			}
		}
	}
}

var startMsg = [numServices]string{"server listening", "server started", "payments service started", "Application startup complete.", "Started UsersApplication in 7.912 seconds (process running for 8.64)", "search API listening", "Application started. Press Ctrl+C to shut down."}
var stopMsg = [numServices]string{"shutting down: closing server", "shutting down", "payments service stopping", "Shutting down", "Commencing graceful shutdown. Waiting for active requests to complete", "search API shutting down", "Application is shutting down..."}

var bgMsgs = [numServices][]string{
	{"upstream pool stats", "rate limiter buckets pruned", "jwks refreshed"},
	{"outbox flushed", "cart sweeper finished", "db pool stats"},
	{"reconciliation batch completed", "payout sync finished", "webhook queue drained"},
	{"restock job finished", "cache warmup finished", "supplier feed imported"},
	{"Session cleanup completed", "HikariPool-1 - Pool stats (total=10, active=2, idle=8, waiting=0)", "Cache statistics logged"},
	{"index refreshed", "synonyms reloaded", "slow query log rotated"},
	{"Queue depth {Depth}", "Digest batch scheduled", "Template cache refreshed"},
}

// background writes one line that belongs to no request.
func (g *gen) background(t int64) {
	svc := g.r.IntN(numServices)
	rel := g.releaseAt(svc, t)
	h := g.r.IntN(len(rel.hosts))
	msgs := bgMsgs[svc]
	lvl := lvlInfo
	m := msgs[g.r.IntN(len(msgs))]
	if g.r.IntN(20) == 0 {
		lvl = lvlWarn
		m = "slow " + m
	}
	r := g.newRec(svc, rel, h, t, lvl, m)
	r.add(kvi("count", int64(g.r.IntN(5000))))
	r.add(kvf("elapsed_ms", 5+g.r.ExpFloat64()*200))
	g.queue(r)
}

func (g *gen) newRec(svc int, rel *release, host int, t int64, lvl int, msg string) *rec {
	g.recs = append(g.recs[:0], rec{})
	r := &g.recs[0]
	r.svc, r.rel, r.host, r.t, r.level, r.msg, r.bg = svc, rel, host, t, lvl, msg, true
	return r
}

// durNS draws a handling time around med milliseconds with a long tail.
func (g *gen) durNS(med float64) int64 {
	d := med * math.Exp(0.55*g.r.NormFloat64())
	if g.r.IntN(100) == 0 {
		d *= 4 + 8*g.r.Float64()
	}
	return int64(d * 1e6)
}

func (g *gen) hex(n int) string {
	b := make([]byte, 0, n)
	for len(b) < n {
		v := g.r.Uint64()
		k := min(16, n-len(b))
		b = appendHex(b, v, k)
	}
	return string(b)
}

var searchQueries = []string{
	"running shoes", "wireless mouse", "usb-c cable", "standing desk", "coffee grinder", "noise cancelling headphones",
	"4k monitor", "yoga mat", "mechanical keyboard", "air fryer", "backpack", "water bottle", "desk lamp",
	"phone case", "laptop stand", "rain jacket", "kids (age 4-6) shoes", `"red dress"`, "tv 55 inch", "gaming chair",
	"screen protector", "hiking boots", "espresso machine", "bluetooth speaker", "sofa (grey)", "office chair",
	"winter coat", "smart watch", "led strip", "blender", `"linen shirt"`, "toaster", "pillow", "frying pan",
	"ssd 1tb", "jeans", "travel mug", "board game", "plant pot", "bike helmet", "usb hub (7 port)", "scarf",
}

var userAgents = []string{
	"ShopApp/5.12.0 (iOS 18.1; iPhone15,2)",
	"ShopApp/5.12.0 (Android 14; Pixel 8)",
	"ShopApp/5.12.1 (iOS 18.2; iPhone16,1)",
	"ShopApp/5.11.3 (Android 13; SM-A546B)",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
	"ShopApp/5.12.0 (iOS 18.1; iPhone15,2)",
	"ShopApp/5.11.3 (Android 14; SM-S918B)",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
}

var firstNames = []string{"anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "isla", "jonas", "kira", "liam", "maya", "noah", "olga", "pablo"}
var lastNames = []string{"schmidt", "garcia", "nguyen", "smith", "kowalski", "rossi", "dubois", "jansen", "silva", "tanaka", "ivanova", "murphy"}

func queryURL(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('+')
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

func (g *gen) pickRoute() *route {
	x := g.r.Float64() * g.routeCum[len(g.routeCum)-1]
	i := sort.SearchFloat64s(g.routeCum, x)
	if i >= len(g.w.routes) {
		i = len(g.w.routes) - 1
	}
	return g.w.routes[i]
}

// call is one backend call of the request being generated.
type call struct {
	ep   *endpoint
	rel  *release
	host int
}

// request generates one request at t using at most rem lines.
func (g *gen) request(t int64, rem int64) {
	g.requests++
	q := &g.q
	*q = request{n: g.requests, t0: t, url: q.url[:0]}
	rt := g.pickRoute()
	q.rt = rt
	q.id = g.hex(32)
	q.short = g.randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 14)
	q.user = -1
	if rt.anon < 1 && (rt.anon == 0 || g.r.Float64() >= rt.anon) {
		q.user = int(g.zipf.Uint64())
		q.uid = g.userIDs[q.user]
	}
	uidx := q.user
	if uidx < 0 {
		uidx = g.r.IntN(len(g.userIDs))
	}
	q.email = firstNames[uidx%len(firstNames)] + "." + lastNames[(uidx/len(firstNames))%len(lastNames)] + strconv.Itoa(uidx%97) + "@example.com"
	q.order = 4_200_000 + g.r.Int64N(800_000)
	q.item = 1 + g.r.Int64N(40_000_000)
	q.product = 100_000 + g.r.Int64N(60_000)
	q.payment = 9_000_000 + g.r.Int64N(2_000_000)
	q.notif = 70_000_000 + g.r.Int64N(9_000_000)
	q.ware = 1 + g.r.Int64N(12)
	q.page = 1 + int64(g.r.IntN(3))*int64(g.r.IntN(2))
	q.items = 1 + g.r.Int64N(5)
	q.cart = g.uuid()
	q.q = searchQueries[g.r.IntN(len(searchQueries))]
	q.qURL = queryURL(q.q)
	q.channel = [...]string{"email", "email", "push", "sms"}[g.r.IntN(4)]
	q.template = [...]string{"order_confirmation", "order_shipped", "refund_issued", "profile_updated"}[g.r.IntN(4)]
	q.ua = userAgents[(uidx*31+int(q.n%3))%len(userAgents)]
	q.ip = "203.0." + strconv.Itoa(113+uidx%3) + "." + strconv.Itoa(1+uidx%254)
	q.url = rt.path.render(q.url, q)

	// The backend calls this request makes.
	var calls [6]call
	nc := 0
	for i, cs := range rt.calls {
		if i > 0 && cs.p < 1 && g.r.Float64() >= cs.p {
			continue
		}
		ct := t + int64(nc)*int64(5*time.Millisecond)
		rel := g.releaseAt(cs.ep.svc, ct)
		calls[nc] = call{ep: cs.ep, rel: rel, host: g.r.IntN(len(rel.hosts))}
		nc++
	}
	gwRel := g.releaseAt(svcGateway, t)
	gwHost := g.r.IntN(len(gwRel.hosts))

	// Which bug, if any, breaks this request, and in which call (-1: the gateway).
	var fb *bug
	fc := -2
	for _, b := range g.w.gwBugs {
		if !b.gwRoute(rt) || !g.active(b, gwRel, t, calls[0].ep.svc) {
			continue
		}
		if g.r.Float64() < b.prob {
			fb, fc = b, -1
			break
		}
	}
	code4 := 0
	if fb == nil && rt.p4xx > 0 && g.r.Float64() < rt.p4xx {
		code4 = rt.code4
		nc = 1
	}
	if fb == nil && code4 == 0 {
	scan:
		for i := range nc {
			c := &calls[i]
			for _, b := range g.w.byEP[c.ep] {
				if !g.active(b, c.rel, t, -1) || b.when != nil && !b.when(q) {
					continue
				}
				if g.r.Float64() < b.prob {
					fb, fc = b, i
					break scan
				}
			}
		}
	}
	if fb != nil && fb.name == "gateway-accept-language" {
		q.noLang = true
	}

	n := g.buildRequest(t, calls[:nc], gwRel, gwHost, fb, fc, code4)
	if int64(n) > rem {
		// The last request would overshoot -lines: fill with a plain line.
		g.recs = g.recs[:0]
		g.requests--
		g.background(t)
		return
	}
	status := 0
	for i := range g.recs {
		r := &g.recs[i]
		if r.svc == svcGateway && r.gwRes {
			status = r.status
		}
		g.queue(r)
	}
	key := -1
	if fc == -1 {
		key = rt.id
	} else if fb != nil {
		key = calls[fc].ep.id
	}
	if q.user >= 0 {
		u := userAt{t, int32(q.user)}
		g.actAll = append(g.actAll, u)
		g.act[rt.id] = append(g.act[rt.id], u)
		for _, c := range calls[:nc] {
			g.act[c.ep.id] = append(g.act[c.ep.id], u)
		}
	}
	g.record(fb, status, key)
}

// record updates the statistics and the id samples for a committed request.
func (g *gen) record(fb *bug, status, key int) {
	q := &g.q
	s := sample{ID: q.id, Route: q.rt.method + " " + q.rt.path.raw, Status: status, Time: utc(q.t0).Format(time.RFC3339Nano)}
	if fb == nil {
		g.okSeen++
		if len(g.okSamples) < 50 {
			g.okSamples = append(g.okSamples, s)
		} else if j := g.pick.Int64N(g.okSeen); j < 50 {
			g.okSamples[j] = s
		}
		return
	}
	g.failing++
	s.Failing, s.Bug = true, fb.name
	st := &g.stats[fb.idx]
	st.count++
	if st.count == 1 {
		st.firstT, st.firstID = q.t0, q.id
		st.users, st.keys = map[int]bool{}, map[int]bool{}
	}
	st.keys[key] = true
	if q.user >= 0 {
		st.users[q.user] = true
	}
	st.lastT = q.t0
	st.seen++
	if len(st.samples) < 3 {
		st.samples = append(st.samples, q.id)
	} else if j := g.pick.Int64N(st.seen); j < 3 {
		st.samples[j] = q.id
	}
	g.failSeen++
	if len(g.failPool) < 200 {
		g.failPool = append(g.failPool, s)
	} else if j := g.pick.Int64N(g.failSeen); j < 200 {
		g.failPool[j] = s
	}
}

// active reports whether b can fire on a call served by rel at t.
func (g *gen) active(b *bug, rel *release, t int64, backend int) bool {
	if b.release {
		return rel.bugs&(1<<b.idx) != 0
	}
	if t < g.bugFrom[b.idx] || t >= g.bugUntil[b.idx] {
		return false
	}
	if b.rollout > 0 {
		if backend < 0 {
			return false
		}
		list := g.rels[backend]
		for _, r := range list {
			if r.inWin && t >= r.from && t < r.from+int64(b.rollout) {
				return true
			}
		}
		return false
	}
	return true
}

func (g *gen) uuid() string {
	b := make([]byte, 0, 36)
	v1, v2 := g.r.Uint64(), g.r.Uint64()
	v1 = v1&^(0xf<<12) | 4<<12
	v2 = v2&^(0x3<<62) | 2<<62
	b = appendHex(b, v1>>32, 8)
	b = append(b, '-')
	b = appendHex(b, v1>>16, 4)
	b = append(b, '-')
	b = appendHex(b, v1, 4)
	b = append(b, '-')
	b = appendHex(b, v2>>48, 4)
	b = append(b, '-')
	b = appendHex(b, v2, 12)
	return string(b)
}

var statusText = map[int]string{500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

// buildRequest fills g.recs with the request's records and returns how many.
func (g *gen) buildRequest(t int64, calls []call, gwRel *release, gwHost int, fb *bug, fc int, code4 int) int {
	q := &g.q
	g.recs = g.recs[:0]
	mandatory := 3 + max(len(calls)-1, 0)
	if fb != nil {
		mandatory++
	}
	opt := maxLinesPerRequest - mandatory
	optional := func(p float64) bool {
		if opt > 0 && g.r.Float64() < p {
			opt--
			return true
		}
		return false
	}
	add := func(svc int, rel *release, host int, at int64, lvl int, msg string, e *endpoint) *rec {
		g.recs = append(g.recs, rec{svc: svc, rel: rel, host: host, t: at, level: lvl, msg: msg, ep: e})
		return &g.recs[len(g.recs)-1]
	}

	cur := t + int64(100*time.Microsecond) + g.r.Int64N(int64(400*time.Microsecond))
	if q.user >= 0 && optional(0.2) {
		r := add(svcGateway, gwRel, gwHost, cur, lvlInfo, "token verified", nil)
		r.gwReq = true
		r.add(kvs("scope", "shop:"+strings.ToLower(q.rt.method)))
		cur += int64(300 * time.Microsecond)
	}
	gwDone := func(at int64, status int, errT, errM, stack string) {
		lvl := lvlInfo
		msg := "request completed"
		switch {
		case status >= 500:
			lvl, msg = lvlError, "request errored"
		case status >= 400:
			lvl = lvlWarn
		}
		r := add(svcGateway, gwRel, gwHost, at, lvl, msg, nil)
		r.gwReq, r.gwRes, r.status, r.durNS = true, true, status, at-t
		r.errType, r.errMsg, r.stack = errT, errM, stack
		if status >= 500 && errM == "" {
			r.errType = "Error"
			r.errMsg = "failed with status code " + strconv.Itoa(status)
			r.stack = "Error: failed with status code " + strconv.Itoa(status) + pinoHTTPStack
		}
	}

	if fc == -1 {
		// The gateway itself fails.
		m := fb.msg(q)
		st := g.renderStack(fb, gwRel.rev, m)
		cur += g.durNS(1)
		if fb.status == 502 {
			cur += g.durNS(3)
			r := add(svcGateway, gwRel, gwHost, cur, lvlError, fb.logMsg, nil)
			r.gwReq, r.errType, r.errMsg, r.stack = true, fb.errType, m, st
			r.add(kvs("upstream", "http://"+serviceNames[calls[0].ep.svc]+".shop.svc.cluster.local:8080"))
			gwDone(cur+int64(200*time.Microsecond), 502, "", "", "")
			return len(g.recs)
		}
		r := add(svcGateway, gwRel, gwHost, cur, lvlError, fb.logMsg, nil)
		r.gwReq, r.errType, r.errMsg, r.stack = true, fb.errType, m, st
		gwDone(cur+int64(300*time.Microsecond), 500, fb.errType, m, st)
		return len(g.recs)
	}

	// The primary backend.
	p := calls[0]
	cur += g.durNS(1.5) // gateway proxying
	pStart := cur
	pr := add(p.ep.svc, p.rel, p.host, cur, lvlInfo, p.ep.msgs[0], p.ep)
	pr.http = true
	own := g.durNS(p.ep.medMS)
	if code4 != 0 {
		cur += own / 3
		r := add(p.ep.svc, p.rel, p.host, cur, lvlWarn, p.ep.msgs[2], p.ep)
		r.http, r.access, r.status, r.durNS = true, true, code4, cur-pStart
		r.msg = "request rejected"
		cur += g.durNS(0.8)
		gwDone(cur, code4, "", "", "")
		return len(g.recs)
	}
	cur += own / 2
	if p.ep.msgs[1] != "" && fc != 0 && optional(0.9) {
		add(p.ep.svc, p.rel, p.host, cur, lvlInfo, p.ep.msgs[1], p.ep)
	}

	status := 200
	if p.ep.method == "POST" {
		status = 201
	}
	if p.ep.method == "DELETE" {
		status = 204
	}
	var wrapErr string
	failedAt := -1
	var asyncCalls []call
	for i := 1; i < len(calls); i++ {
		c := calls[i]
		if c.ep.async {
			asyncCalls = append(asyncCalls, c)
			continue
		}
		cur += int64(400*time.Microsecond) + g.r.Int64N(int64(time.Millisecond))
		cStart := cur
		if optional(0.85) {
			r := add(c.ep.svc, c.rel, c.host, cur, lvlInfo, c.ep.msgs[0], c.ep)
			r.http = true
		}
		if fc == i {
			failedAt = i
			d := g.durNS(c.ep.medMS)
			if fb.timeout > 0 {
				d = int64(fb.timeout*1e6) + g.r.Int64N(int64(20*time.Millisecond))
			}
			cur += d
			m := fb.msg(q)
			r := add(c.ep.svc, c.rel, c.host, cur, lvlError, fb.logMsg, c.ep)
			r.http, r.errType, r.errMsg, r.stack = true, fb.errType, m, g.renderStack(fb, c.rel.rev, m)
			cur += int64(150 * time.Microsecond)
			r = add(c.ep.svc, c.rel, c.host, cur, lvlError, c.ep.msgs[2], c.ep)
			r.http, r.access, r.status, r.durNS = true, true, fb.status, cur-cStart
			r.msg = "request failed"
			wrapErr = serviceNames[c.ep.svc] + ": " + c.ep.method + " " + string(c.ep.path.render(nil, q)) + ": " + strconv.Itoa(fb.status) + " " + statusText[fb.status]
			status = 502
			if fb.status == 504 {
				status = 504
			}
			break
		}
		cur += g.durNS(c.ep.medMS)
		r := add(c.ep.svc, c.rel, c.host, cur, lvlInfo, c.ep.msgs[2], c.ep)
		r.http, r.access, r.status, r.durNS = true, true, 200, cur-cStart
		if c.ep.method == "POST" {
			r.status = 201
		}
	}

	cur += own / 2
	if failedAt > 0 {
		// A wrapper is logged at least 1 ms after the error it wraps, so
		// millisecond timestamps keep the order.
		cur += int64(time.Millisecond)
	}
	if fc == 0 {
		failedAt = 0
		if fb.timeout > 0 {
			cur += int64(fb.timeout*1e6) + g.r.Int64N(int64(20*time.Millisecond))
		}
		m := fb.msg(q)
		r := add(p.ep.svc, p.rel, p.host, cur, lvlError, fb.logMsg, p.ep)
		r.http, r.errType, r.errMsg, r.stack = true, fb.errType, m, g.renderStack(fb, p.rel.rev, m)
		status = fb.status
		cur += int64(200 * time.Microsecond)
	}
	r := add(p.ep.svc, p.rel, p.host, cur, lvlInfo, p.ep.msgs[2], p.ep)
	r.http, r.access, r.status, r.durNS = true, true, status, cur-pStart
	if status >= 500 {
		r.level = lvlError
		r.msg = "request failed"
		if wrapErr != "" {
			r.errMsg = wrapErr
			r.errType = "upstream"
		}
	}
	cur += int64(time.Millisecond) + g.durNS(0.6) // the hop back through the gateway
	gwDone(cur, status, "", "", "")

	// Queue consumers run after the response is sent; a failure there does
	// not change the response.
	for _, c := range asyncCalls {
		if failedAt >= 0 {
			break // the order was not placed: nothing to notify
		}
		cur += int64(5*time.Millisecond) + g.r.Int64N(int64(200*time.Millisecond))
		cStart := cur
		if optional(0.8) {
			add(c.ep.svc, c.rel, c.host, cur, lvlInfo, c.ep.msgs[0], c.ep)
			cur += g.durNS(1)
		}
		idx := indexOf(calls, c)
		if fc == idx {
			cur += g.durNS(c.ep.medMS / 2)
			m := fb.msg(q)
			r := add(c.ep.svc, c.rel, c.host, cur, lvlError, fb.logMsg, c.ep)
			r.errType, r.errMsg, r.stack = fb.errType, m, g.renderStack(fb, c.rel.rev, m)
			continue
		}
		if optional(0.3) {
			add(c.ep.svc, c.rel, c.host, cur, lvlInfo, c.ep.msgs[1], c.ep)
		}
		cur += g.durNS(c.ep.medMS)
		r := add(c.ep.svc, c.rel, c.host, cur, lvlInfo, c.ep.msgs[2], c.ep)
		r.access, r.durNS = true, cur-cStart
	}
	return len(g.recs)
}

func indexOf(calls []call, c call) int {
	for i, x := range calls {
		if x.ep == c.ep {
			return i
		}
	}
	return -1
}

const pinoHTTPStack = `
    at ServerResponse.onResFinished (/app/node_modules/pino-http/logger.js:115:39)
    at ServerResponse.emit (node:events:531:35)
    at onFinish (node:_http_outgoing:1005:10)
    at callback (node:internal/streams/writable:608:21)
    at afterWrite (node:internal/streams/writable:553:5)
    at afterWriteTick (node:internal/streams/writable:539:10)
    at process.processTicksAndRejections (node:internal/process/task_queues:82:21)`

// renderStack renders b's stack template for code revision rev.
func (g *gen) renderStack(b *bug, rev int, msg string) string {
	if len(b.stackTpl) == 0 {
		return ""
	}
	out := make([]byte, 0, 2048)
	for _, s := range b.stackTpl {
		switch s.kind {
		case 0:
			out = append(out, s.lit...)
		case 'M':
			out = append(out, msg...)
		case 'G':
			out = strconv.AppendInt(out, 1000+g.r.Int64N(900000), 10)
		case 'P':
			out = append(out, "0xc000"...)
			out = appendHex(out, g.r.Uint64()&0xfffff0, 6)
		case 'L':
			out = strconv.AppendInt(out, int64(shiftLine(s.n, rev)), 10)
		case 'O':
			out = strconv.AppendUint(out, uint64(s.n+rev*0x14), 16)
		}
	}
	return string(out)
}
