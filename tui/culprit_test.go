package tui

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
)

// stackCulprits is the culprit frame of each trace of testdata/stacks, as
// ingest/stack's corpus table states it.
var stackCulprits = map[string]string{
	"dotnet-emptyseq-1.txt": "Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext (Data/OrderRepository.cs:33)",
	"dotnet-emptyseq-2.txt": "Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext (Data/OrderRepository.cs:35)",
	"dotnet-nullref-1.txt":  "Orders.Api.Services.PricingService.PriceLine (Services/PricingService.cs:41)",
	"dotnet-nullref-2.txt":  "Orders.Api.Services.PricingService.PriceLine (Services/PricingService.cs:44)",
	"go-index-1.txt":        "checkout.PickWarehouse (checkout/checkout.go:43)",
	"go-index-2.txt":        "checkout.PickWarehouse (checkout/checkout.go:45)",
	"go-nilmap-1.txt":       "checkout.(*Cart).Add (checkout/checkout.go:37)",
	"go-nilmap-2.txt":       "checkout.(*Cart).Add (checkout/checkout.go:39)",
	"go-nilptr-1.txt":       "checkout.DiscountFor (checkout/checkout.go:59)",
	"go-nilptr-2.txt":       "checkout.DiscountFor (checkout/checkout.go:61)",
	"java-npe-1.txt":        "shop.OrderService.label (OrderService.java:25)",
	"java-npe-2.txt":        "shop.OrderService.label (OrderService.java:27)",
	"java-reserve-1.txt":    "shop.OrderService$Pool.getConnection (OrderService.java:30)",
	"java-reserve-2.txt":    "shop.OrderService$Pool.getConnection (OrderService.java:32)",
	"node-json-1.txt":       "parseWebhook (stacks/crash.js:17:15)",
	"node-json-2.txt":       "parseWebhook (stacks/crash.js:19:15)",
	"node-price-1.txt":      "node/shop.js:17:70",
	"node-price-2.txt":      "ci-build-QLUy8v/shop.js:19:70",
	"python-none-1.txt":     "loyalty_discount (stacks/pricing.py:22)",
	"python-none-2.txt":     "loyalty_discount (ci-build-x3gNYT/pricing.py:24)",
	"python-pricing-1.txt":  "<genexpr> (stacks/pricing.py:11)",
	"python-pricing-2.txt":  "<genexpr> (ci-build-x3gNYT/pricing.py:13)",
	"ruby-nomethod-1.txt":   "block in total (ruby/cart.rb:11)",
	"ruby-nomethod-2.txt":   "block in total (ci-build-sX34qQ/cart.rb:13)",
	"ruby-zerodiv-1.txt":    "average_price (ruby/cart.rb:15)",
	"ruby-zerodiv-2.txt":    "average_price (ci-build-sX34qQ/cart.rb:17)",
}

// TestCulpritAgrees renders every trace of testdata/stacks as a request's
// root error in the CLI's text report, its --json report and the TUI's
// stack pane: all three must name the same culprit frame.
func TestCulpritAgrees(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "stacks", "*.txt"))
	if err != nil || len(files) != len(stackCulprits) {
		t.Fatalf("%d stacks in testdata/stacks, %d in the table (%v)", len(files), len(stackCulprits), err)
	}
	c := &common{st: newStyles(true, false), keys: newKeyMap(false), now: func() time.Time { return fixedNow }}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want, ok := stackCulprits[name]
			if !ok {
				t.Fatalf("%s is not in the table", name)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r := &query.Report{RequestID: "r-1", Found: true, Error: &query.RootError{
				Fingerprint: "fp", Type: "E", Message: "m", Stack: string(b), Service: "svc", Time: fixedNow,
			}}

			var text bytes.Buffer
			if err := query.WriteReportText(&text, r, query.TextOptions{Width: 200}); err != nil {
				t.Fatal(err)
			}
			if got := atLine(strings.Split(text.String(), "\n")); got != want {
				t.Errorf("text report names %q, want %q", got, want)
			}

			var js bytes.Buffer
			if err := query.WriteReportJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Error struct {
					Culprit *struct {
						Text string `json:"text"`
					} `json:"culprit_frame"`
				} `json:"error"`
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Error.Culprit == nil || doc.Error.Culprit.Text != want {
				t.Errorf("--json culprit_frame = %+v, want text %q", doc.Error.Culprit, want)
			}

			m := newInvestigation(c, r, query.Span{}, 200, 60)
			pane, _, _ := m.stackPane(200)
			for i := range pane {
				pane[i] = ansi.Strip(pane[i])
			}
			if got := atLine(pane); got != want {
				t.Errorf("TUI stack pane names %q, want %q", got, want)
			}
		})
	}
}

// atLine returns what follows "at " on the first line that starts with it.
func atLine(lines []string) string {
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "at "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
