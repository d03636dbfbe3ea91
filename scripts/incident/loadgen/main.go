// Command loadgen drives the sample incident's gateway with background
// traffic: users arrive as a Poisson process and each runs a short visit
// (browse their orders, search the catalog, fill a cart and check out, ...)
// with think times between requests. Everything random comes from -seed, so
// two runs send the same visits in the same order; only the answers (and so
// the follow-up requests that depend on them) can differ.
//
// Like a load balancer, it retries a request whose connection is refused,
// which hides the gateway's own restart from the logs.
//
// It imports only the standard library.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

type config struct {
	target   string
	duration time.Duration
	rate     float64
	users    int
}

type stats struct {
	mu     sync.Mutex
	counts map[string]int // "GET /api/cart 200"
	failed int
}

func (s *stats) add(key string) {
	s.mu.Lock()
	s.counts[key]++
	s.mu.Unlock()
}

func main() {
	var c config
	flag.StringVar(&c.target, "target", "http://127.0.0.1:27180", "gateway base URL")
	flag.DurationVar(&c.duration, "duration", 5*time.Minute, "how long to send traffic")
	flag.Float64Var(&c.rate, "rate", 3, "visits started per second (each visit sends 1-4 requests)")
	flag.IntVar(&c.users, "users", 48, "user accounts 1001..1000+users")
	seed := flag.Uint64("seed", 42, "seed of every random choice")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st := &stats{counts: map[string]int{}}
	run(ctx, c, *seed, st)

	keys := make([]string, 0, len(st.counts))
	for k := range st.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	total := 0
	for _, k := range keys {
		fmt.Printf("%6d  %s\n", st.counts[k], k)
		total += st.counts[k]
	}
	fmt.Printf("%6d  requests, %d transport failures\n", total, st.failed)
}

// run starts visits until the duration has passed, then waits for them.
func run(ctx context.Context, c config, seed uint64, st *stats) {
	master := rand.New(rand.NewPCG(seed, 0x5eed))
	// Some users are far more active than others.
	weights := make([]float64, c.users)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.3 + master.ExpFloat64()
		sum += weights[i]
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	end := time.Now().Add(c.duration)
	next := time.Now()
	for n := 0; ; n++ {
		next = next.Add(time.Duration(master.ExpFloat64() / c.rate * float64(time.Second)))
		if next.After(end) {
			break
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-time.After(time.Until(next)):
		}
		pick := master.Float64() * sum
		user := 0
		for user < c.users-1 && pick >= weights[user] {
			pick -= weights[user]
			user++
		}
		v := &visit{
			c: c, hc: hc, st: st,
			rng:  rand.New(rand.NewPCG(seed, uint64(n)+1)),
			user: 1001 + user,
		}
		wg.Go(func() { v.run(ctx) })
	}
	wg.Wait()
}

type visit struct {
	c     config
	hc    *http.Client
	st    *stats
	rng   *rand.Rand
	user  int
	reqID string // set for clients that send their own X-Request-ID
}

var terms = []struct {
	q      string
	weight int
}{
	{"desk", 14}, {"mug", 10}, {"lamp", 10}, {"cable", 9}, {"notebook", 8}, {"headphones", 8},
	{"chair", 7}, {"kettle", 7}, {"backpack", 7}, {"charger", 7}, {"pencil", 5}, {"organiser", 4},
	{"umbrella", 3}, {"gift", 5},
}

func (v *visit) term() string {
	total := 0
	for _, t := range terms {
		total += t.weight
	}
	n := v.rng.IntN(total)
	for _, t := range terms {
		if n < t.weight {
			return t.q
		}
		n -= t.weight
	}
	return terms[0].q
}

func (v *visit) think(ctx context.Context) {
	d := time.Duration(300+v.rng.IntN(1500)) * time.Millisecond
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (v *visit) run(ctx context.Context) {
	if v.rng.IntN(10) == 0 { // the mobile app sends its own request ids
		v.reqID = uuid(v.rng)
	}
	switch r := v.rng.IntN(100); {
	case r < 34:
		v.browseOrders(ctx)
	case r < 58:
		v.shop(ctx)
	case r < 70:
		v.checkout(ctx)
	case r < 78:
		v.quickOrder(ctx)
	case r < 94:
		v.profile(ctx)
	default:
		v.mistake(ctx)
	}
}

func (v *visit) profile(ctx context.Context) []int {
	var p struct {
		RecentOrders []int `json:"recent_orders"`
	}
	v.do(ctx, "GET", fmt.Sprintf("/api/users/%d/profile", v.user), true, nil, &p)
	return p.RecentOrders
}

func (v *visit) browseOrders(ctx context.Context) {
	orders := v.profile(ctx)
	for range 1 + v.rng.IntN(2) {
		if len(orders) == 0 {
			return
		}
		v.think(ctx)
		id := orders[v.rng.IntN(len(orders))]
		v.do(ctx, "GET", "/api/orders/"+strconv.Itoa(id), true, nil, nil)
	}
}

type searchResult struct {
	Results []struct {
		SKU string `json:"sku"`
	} `json:"results"`
}

func (v *visit) search(ctx context.Context) []string {
	var res searchResult
	v.do(ctx, "GET", "/api/catalog/search?q="+v.term(), v.rng.IntN(4) > 0, nil, &res)
	skus := []string{}
	for _, r := range res.Results {
		skus = append(skus, r.SKU)
	}
	return skus
}

func (v *visit) shop(ctx context.Context) {
	skus := v.search(ctx)
	if len(skus) == 0 || v.rng.IntN(10) < 5 {
		return
	}
	v.think(ctx)
	item := map[string]any{"sku": skus[v.rng.IntN(len(skus))], "qty": 1 + v.rng.IntN(2)}
	v.do(ctx, "POST", "/api/cart/items", true, item, nil)
}

func (v *visit) checkout(ctx context.Context) {
	v.do(ctx, "GET", "/api/cart", true, nil, nil)
	if v.rng.IntN(10) < 5 {
		return
	}
	v.think(ctx)
	v.do(ctx, "POST", "/api/checkout", true, nil, nil)
}

func (v *visit) quickOrder(ctx context.Context) {
	skus := v.search(ctx)
	if len(skus) == 0 {
		return
	}
	v.think(ctx)
	order := map[string]any{"items": []map[string]any{{"sku": skus[v.rng.IntN(len(skus))], "qty": 1 + v.rng.IntN(3)}}}
	v.do(ctx, "POST", "/api/orders", true, order, nil)
}

// mistake sends one of the requests real clients get wrong: all 4xx.
func (v *visit) mistake(ctx context.Context) {
	switch v.rng.IntN(5) {
	case 0:
		v.do(ctx, "GET", "/api/orders/"+strconv.Itoa(90000+v.rng.IntN(9999)), true, nil, nil)
	case 1:
		v.do(ctx, "GET", "/api/cart", false, nil, nil)
	case 2:
		v.do(ctx, "POST", "/api/orders", true, map[string]any{"items": []any{}}, nil)
	case 3:
		v.do(ctx, "GET", "/api/users/"+strconv.Itoa(5000+v.rng.IntN(999))+"/profile", true, nil, nil)
	default:
		v.do(ctx, "GET", "/api/catalog/search?q=", true, nil, nil)
	}
}

// do sends one request and decodes a 2xx JSON answer into out.
func (v *visit) do(ctx context.Context, method, path string, signedIn bool, body, out any) {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	label := method + " " + template(path)
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, v.c.target+path, bytes.NewReader(payload))
		if err != nil {
			v.st.mu.Lock()
			v.st.failed++
			v.st.mu.Unlock()
			return
		}
		if signedIn {
			req.Header.Set("X-User-ID", strconv.Itoa(v.user))
		}
		if v.reqID != "" {
			req.Header.Set("X-Request-ID", v.reqID)
			v.reqID = uuid(v.rng) // one id per request
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := v.hc.Do(req)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) && attempt < 50 && ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			v.st.mu.Lock()
			v.st.failed++
			v.st.mu.Unlock()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		v.st.add(label + " " + strconv.Itoa(resp.StatusCode))
		if resp.StatusCode < 300 && out != nil {
			_ = json.Unmarshal(b, out)
		}
		return
	}
}

// template replaces the numeric path segments and the query for the summary.
func template(path string) string {
	if i := bytes.IndexByte([]byte(path), '?'); i >= 0 {
		path = path[:i]
	}
	segs := bytes.Split([]byte(path), []byte("/"))
	for i, s := range segs {
		if _, err := strconv.Atoi(string(s)); err == nil {
			segs[i] = []byte("{id}")
		}
	}
	return string(bytes.Join(segs, []byte("/")))
}

func uuid(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
