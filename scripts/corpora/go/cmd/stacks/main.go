// Command stacks produces real Go stack traces for culprit's fingerprint
// tests: a panic recovered and logged by net/http (runtime.Stack format),
// an uncaught index-out-of-range panic in a worker goroutine, and an
// uncaught nil pointer dereference (with its signal line).
//
// Usage: stacks OUTDIR OCCURRENCE   (OCCURRENCE 1 or 2 varies the request,
// goroutine ids and argument values; gen.sh builds occurrence 2 from an
// edited copy so that line numbers and file paths differ as well).
package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"example.com/shop/internal/checkout"
)

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "crash" {
		crash(os.Args[2:])
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: stacks OUTDIR OCCURRENCE")
		os.Exit(2)
	}
	dir, occ := os.Args[1], os.Args[2]
	n, err := strconv.Atoi(occ)
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "occurrence must be a positive number")
		os.Exit(2)
	}
	must(os.WriteFile(filepath.Join(dir, "go-nilmap-"+occ+".txt"), nilMapViaHTTP(n), 0o644))
	must(os.WriteFile(filepath.Join(dir, "go-index-"+occ+".txt"), child("index", n), 0o644))
	must(os.WriteFile(filepath.Join(dir, "go-nilptr-"+occ+".txt"), child("nilptr", n), 0o644))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// nilMapViaHTTP serves a cart endpoint whose handler panics on a nil map,
// sends it n requests (the n-th panic is kept) and returns what net/http's
// error log printed for that request.
func nilMapViaHTTP(n int) []byte {
	var mu sync.Mutex
	var logs []string
	var buf bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/users/{user}/cart/items", func(w http.ResponseWriter, r *http.Request) {
		addItem(r.PathValue("user"), r.URL.Query().Get("sku"))
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ErrorLog = log.New(&lockedWriter{mu: &mu, w: &buf, logs: &logs}, "", log.LstdFlags)
	srv.Start()
	defer srv.Close()
	for i := 1; i <= n; i++ {
		resp, err := http.Post(fmt.Sprintf("%s/api/users/u-%d/cart/items?sku=SKU-%d", srv.URL, 1000+i*1217, 40+i), "application/json", nil)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		srv.CloseClientConnections() // a new connection, hence a new goroutine, per request
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) < n {
		panic(fmt.Sprintf("expected %d panics logged, got %d", n, len(logs)))
	}
	return []byte(logs[n-1])
}

type lockedWriter struct {
	mu   *sync.Mutex
	w    *bytes.Buffer
	logs *[]string
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if bytes.Contains(p, []byte("http: panic serving")) {
		*l.logs = append(*l.logs, string(p))
	}
	return l.w.Write(p)
}

func addItem(user, sku string) {
	carts := map[string]*checkout.Cart{user: {}}
	carts[user].Add(sku, 1)
}

// child runs this program again in crash mode and returns its stderr.
func child(kind string, n int) []byte {
	exe, err := os.Executable()
	must(err)
	cmd := exec.Command(exe, "crash", kind, strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		panic(kind + ": child did not crash")
	}
	return stderr.Bytes()
}

func crash(args []string) {
	n, _ := strconv.Atoi(args[1])
	switch args[0] {
	case "index":
		// Occurrence n starts n-1 unrelated goroutines first, so the
		// crashing worker has another goroutine id.
		var wg sync.WaitGroup
		for i := 1; i < n*3; i++ {
			wg.Add(1)
			go func() { defer wg.Done() }()
		}
		wg.Wait()
		stock := make([]int, 4-n)
		done := make(chan int)
		go allocate(stock, strings.Repeat("z", n), done)
		<-done
	case "nilptr":
		customers := []*checkout.Customer{{ID: "u-1017", Tier: &checkout.Tier{Discount: 5}}, {ID: fmt.Sprintf("u-%d", 2231*n)}}
		fmt.Println(priceFor(customers[1], 1999*n))
	}
}

func allocate(stock []int, zone string, done chan<- int) {
	done <- checkout.PickWarehouse(stock, len(zone)*len(stock)-1+len(zone))
}

func priceFor(c *checkout.Customer, cents int) int {
	return cents - cents*checkout.DiscountFor(c)/100
}
