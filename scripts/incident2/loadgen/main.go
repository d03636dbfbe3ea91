// Command loadgen drives the second incident's gateway with background
// traffic: visits arrive as a Poisson process, each from one of -users users
// (some far busier than others), and each runs a short session (search and
// look at products, fill a cart and check out, maybe with a coupon, reopen a
// past order, look at the wallet, or make a mistake) with think times between
// requests. Every random choice comes from -seed; only the answers (order ids)
// differ between runs. One visit in ten comes from the mobile app, which sends
// its own X-Request-ID.
//
// Like a load balancer, it retries a request whose connection to the gateway
// is refused, which hides the gateway's own restart.
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

type shared struct {
	mu     sync.Mutex
	counts map[string]int     // "GET /api/cart 200"
	orders map[string][]int64 // user -> ids of orders placed
	failed int
}

func (s *shared) add(key string) {
	s.mu.Lock()
	s.counts[key]++
	s.mu.Unlock()
}

func main() {
	var c config
	flag.StringVar(&c.target, "target", "http://127.0.0.1:27290", "gateway base URL")
	flag.DurationVar(&c.duration, "duration", 4*time.Minute, "how long to send traffic")
	flag.Float64Var(&c.rate, "rate", 2.5, "visits started per second")
	flag.IntVar(&c.users, "users", 40, "users u-1001..u-(1000+users)")
	seed := flag.Uint64("seed", 7, "seed of every random choice")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st := &shared{counts: map[string]int{}, orders: map[string][]int64{}}
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

var currencies = []string{"EUR", "EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF"}

func run(ctx context.Context, c config, seed uint64, st *shared) {
	master := rand.New(rand.NewPCG(seed, 0x1ace))
	weights := make([]float64, c.users)
	currency := make([]string, c.users)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.3 + master.ExpFloat64()
		sum += weights[i]
		currency[i] = currencies[master.IntN(len(currencies))]
	}
	hc := &http.Client{Timeout: 15 * time.Second}
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
		u := 0
		for u < c.users-1 && pick >= weights[u] {
			pick -= weights[u]
			u++
		}
		v := &visit{c: c, hc: hc, st: st, rng: rand.New(rand.NewPCG(seed, uint64(n)+1)),
			user: fmt.Sprintf("u-%d", 1001+u), currency: currency[u]}
		wg.Go(func() { v.run(ctx) })
	}
	wg.Wait()
}

type visit struct {
	c        config
	hc       *http.Client
	st       *shared
	rng      *rand.Rand
	user     string
	currency string
	app      bool // the mobile app sends its own request ids
}

var terms = []string{"lamp", "desk", "mug", "cable", "notebook", "headphones", "chair", "kettle", "backpack", "charger", "pencil", "organiser"}
var coupons = []string{"WELCOME10", "SPRING5", "VIP20", "FREESHIP"}

func (v *visit) sku() string { return fmt.Sprintf("SKU-%04d", 1000+v.rng.IntN(60)*7) }

func (v *visit) think(ctx context.Context) {
	d := time.Duration(250+v.rng.IntN(1200)) * time.Millisecond
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (v *visit) run(ctx context.Context) {
	v.app = v.rng.IntN(10) == 0
	switch r := v.rng.IntN(100); {
	case r < 30:
		v.browse(ctx)
	case r < 58:
		v.shop(ctx)
	case r < 76:
		v.orders(ctx)
	case r < 86:
		v.do(ctx, "GET", "/api/wallet", true, nil, nil)
	case r < 92:
		v.do(ctx, "POST", "/api/cart/coupon", true, map[string]string{"code": coupons[v.rng.IntN(len(coupons))]}, nil)
	default:
		v.mistake(ctx)
	}
}

func (v *visit) browse(ctx context.Context) {
	v.do(ctx, "GET", "/api/products?q="+terms[v.rng.IntN(len(terms))], false, nil, nil)
	for range 1 + v.rng.IntN(2) {
		v.think(ctx)
		v.do(ctx, "GET", "/api/products/"+v.sku(), false, nil, nil)
	}
}

func (v *visit) shop(ctx context.Context) {
	type line struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	var items []line
	for range 1 + v.rng.IntN(3) {
		l := line{v.sku(), 1 + v.rng.IntN(3)}
		if v.do(ctx, "POST", "/api/cart/items", true, l, nil) == 200 {
			items = append(items, l)
		}
		v.think(ctx)
	}
	if len(items) == 0 {
		return
	}
	body := map[string]any{"items": items, "currency": v.currency}
	if v.rng.IntN(4) == 0 {
		code := coupons[v.rng.IntN(len(coupons))]
		if v.do(ctx, "POST", "/api/cart/coupon", true, map[string]string{"code": code}, nil) == 200 {
			body["coupon"] = code
		}
		v.think(ctx)
	}
	var out struct {
		OrderID int64 `json:"order_id"`
	}
	if v.do(ctx, "POST", "/api/checkout", true, body, &out) == 201 {
		v.st.mu.Lock()
		v.st.orders[v.user] = append(v.st.orders[v.user], out.OrderID)
		v.st.mu.Unlock()
	}
}

func (v *visit) orders(ctx context.Context) {
	v.st.mu.Lock()
	ids := append([]int64(nil), v.st.orders[v.user]...)
	v.st.mu.Unlock()
	if len(ids) == 0 {
		v.do(ctx, "GET", fmt.Sprintf("/api/orders/%d", 40000+v.rng.IntN(100)), true, nil, nil) // an old order from before the migration: 404
		return
	}
	for range 1 + v.rng.IntN(2) {
		v.do(ctx, "GET", fmt.Sprintf("/api/orders/%d", ids[v.rng.IntN(len(ids))]), true, nil, nil)
		v.think(ctx)
	}
}

func (v *visit) mistake(ctx context.Context) {
	switch v.rng.IntN(3) {
	case 0:
		v.do(ctx, "POST", "/api/checkout", false, map[string]any{"items": []any{}}, nil) // not signed in: 401
	case 1:
		v.do(ctx, "GET", "/api/products/SKU-9999", false, nil, nil) // no such product: 404
	default:
		v.do(ctx, "GET", "/api/products?q=", false, nil, nil) // empty search: 400
	}
}

// do sends one request and returns its status (0 on a transport failure).
func (v *visit) do(ctx context.Context, method, path string, signedIn bool, in, out any) int {
	var payload []byte
	if in != nil {
		payload, _ = json.Marshal(in)
	}
	key := method + " " + path
	if i := bytes.IndexAny([]byte(path), "?0123456789"); i > 0 {
		key = method + " " + path[:i]
	}
	reqID := ""
	if v.app {
		reqID = fmt.Sprintf("app-%016x", v.rng.Uint64())
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, v.c.target+path, bytes.NewReader(payload))
		if err != nil {
			return 0
		}
		req.Header.Set("Content-Type", "application/json")
		if signedIn {
			req.Header.Set("X-User-ID", v.user)
		}
		if reqID != "" {
			req.Header.Set("X-Request-ID", reqID)
		}
		resp, err := v.hc.Do(req)
		if err != nil {
			if errors.Is(err, syscallECONNREFUSED) && attempt < 50 && ctx.Err() == nil {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			v.st.mu.Lock()
			v.st.failed++
			v.st.mu.Unlock()
			return 0
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if out != nil && resp.StatusCode < 300 {
			_ = json.Unmarshal(b, out)
		}
		v.st.add(fmt.Sprintf("%s %d", key, resp.StatusCode))
		return resp.StatusCode
	}
}

var syscallECONNREFUSED = syscall.ECONNREFUSED
