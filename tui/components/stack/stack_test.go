package stack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real stacks under testdata/stacks were produced by running small
// programs in each language (scripts/corpora).
const stacksDir = "../../../testdata/stacks"

func TestClassifyRealStacks(t *testing.T) {
	cases := []struct {
		file    string
		culprit string   // substring of Culprit
		app     []string // lines (substrings) that must be App
		lib     []string // lines that must be Lib
	}{
		{"go-nilptr-1.txt", "example.com/shop/internal/checkout.DiscountFor(...)  checkout/checkout.go:59",
			[]string{"main.priceFor(...)", "cmd/stacks/main.go:147"}, nil},
		{"python-pricing-1.txt", `<genexpr>  stacks/pricing.py:11  return sum(CATALOG[item["sku"]]`,
			[]string{`crash.py", line 21`, "return price_cart(items)", "^^^^^^^^"}, nil},
		{"java-npe-1.txt", "shop.OrderService.label(OrderService.java:25)",
			[]string{"shop.Stacks.printLabel"}, []string{"ThreadPoolExecutor.runWorker", "java.lang.Thread.run"}},
		{"node-price-1.txt", "shop.js:17:70",
			[]string{"priceCart (", "async handleCheckout"}, []string{"Array.reduce (<anonymous>)"}},
		{"dotnet-nullref-1.txt", "PricingService.PriceLine(CartLine line)",
			[]string{"CheckoutController.Post"}, []string{"System.Linq.Enumerable", "Microsoft.AspNetCore.Mvc", "lambda_method14"}},
		{"ruby-nomethod-1.txt", "cart.rb:11:in `sum'",
			[]string{"crash.rb:23:in `<main>'"}, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(stacksDir, c.file))
			if err != nil {
				t.Fatalf("the committed stack corpus: %v", err)
			}
			ls := Classify(string(b))
			if len(ls) != strings.Count(strings.TrimRight(string(b), "\n"), "\n")+1 {
				t.Fatalf("Classify returned %d lines for a %d-line stack", len(ls), strings.Count(string(b), "\n"))
			}
			kindOf := func(sub string) (Kind, bool) {
				for _, l := range ls {
					if strings.Contains(l.Text, sub) {
						return l.Kind, true
					}
				}
				return Header, false
			}
			for _, s := range c.app {
				if k, ok := kindOf(s); !ok || k != App {
					t.Errorf("line with %q: kind %v (found %v), want App", s, k, ok)
				}
			}
			for _, s := range c.lib {
				if k, ok := kindOf(s); !ok || k != Lib {
					t.Errorf("line with %q: kind %v (found %v), want Lib", s, k, ok)
				}
			}
			got, ok := Culprit(ls)
			if !ok || !strings.Contains(got, c.culprit) {
				t.Errorf("Culprit = %q (%v), want it to contain %q", got, ok, c.culprit)
			}
		})
	}
}

func TestClassifyGoPanicWithRecovery(t *testing.T) {
	const s = `panic: boom [recovered]
goroutine 7 [running]:
runtime/debug.Stack()
	/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
main.(*server).recoverer.func1()
	/app/orders/middleware.go:41 +0x85
panic({0x8a5e40?, 0xd3c2f0?})
	/usr/local/go/src/runtime/panic.go:785 +0x132
github.com/acme/orders/pricing.applyDiscount(...)
	/app/orders/pricing/pricing.go:57
github.com/go-chi/chi/v5.(*Mux).ServeHTTP(0xc000, {0x1, 0x2})
	/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.12/mux.go:90 +0x2f4
github.com/acme/orders/vendorish.(*T).Do()
	/root/go/pkg/mod/github.com/acme/orders/vendorish@v1.0.0/t.go:3 +0x1
created by net/http.(*Server).Serve in goroutine 1
	/usr/local/go/src/net/http/server.go:3360 +0x485`
	ls := Classify(s)
	frames := 0
	for _, l := range ls {
		if l.Frame {
			frames++
		}
	}
	if frames != 7 {
		t.Errorf("%d frames, want 7", frames)
	}
	want := []Kind{Header, Header, Lib, Lib, App, App, Lib, Lib, App, App, Lib, Lib, Lib, Lib, Lib, Lib}
	if len(ls) != len(want) {
		t.Fatalf("%d lines, want %d", len(ls), len(want))
	}
	for i, l := range ls {
		if l.Kind != want[i] {
			t.Errorf("line %d %q: kind %v, want %v", i, l.Text, l.Kind, want[i])
		}
	}
	got, _ := Culprit(ls)
	if want := "github.com/acme/orders/pricing.applyDiscount(...)  pricing/pricing.go:57"; got != want {
		t.Errorf("Culprit = %q, want %q (the first in-app frame under panic)", got, want)
	}
}

func TestClassifyOddInput(t *testing.T) {
	for _, s := range []string{"", "\n\n", "just one line", "\tat", "File \"", "at ", "panic(", strings.Repeat("x(\n\ty.go:1\n", 1000)} {
		ls := Classify(s) // must not panic
		Culprit(ls)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"panic: x\n\ngoroutine 1 [running]:\nmain.f()\n\t/a/b.go:1 +0x1\n", "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    x\nKeyError: 'a'", "E\n\tat a.B(C.java:1)\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls := Classify(s)
		for _, l := range ls {
			if strings.Contains(l.Text, "\n") {
				t.Fatalf("line %q holds a newline", l.Text)
			}
		}
		if c, ok := Culprit(ls); ok && c == "" {
			t.Fatal("Culprit found an empty frame")
		}
	})
}
