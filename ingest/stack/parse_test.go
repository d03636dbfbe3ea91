package stack

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestDialects covers the forms of each dialect the corpus lacks.
func TestDialects(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		chain   []wantTrace // outermost first
		culprit string      // spec, "" for none
	}{
		{
			name: "go debug.Stack in a recovering middleware, second goroutine ignored",
			in: "goroutine 45 [running]:\nruntime/debug.Stack()\n\truntime/debug/stack.go:26 +0x5e\n" +
				"main.main.(*server).middleware.func3.1()\n\tshop/orders/main.go:160 +0x111\n" +
				"panic({0x73e4c0?, 0xa77380?})\n\truntime/panic.go:860 +0x13a\n" +
				"shop/orders/pricing.loyaltyDiscount(...)\n\tshop/orders/pricing/pricing.go:20\n" +
				"github.com/gin-gonic/gin.(*Context).Next(0x1)\n\tgithub.com/gin-gonic/gin@v1.9.1/context.go:174 +0x2b\n" +
				"created by net/http.(*Server).Serve in goroutine 1\n\tnet/http/server.go:3464 +0x485\n\n" +
				"goroutine 1 [chan receive]:\nmain.other()\n\t/build/other.go:1 +0x1\n",
			chain: []wantTrace{{frames: []string{
				"lib runtime/debug.Stack @ runtime/debug/stack.go:26",
				"app main.main.(*server).middleware.func3.1 @ shop/orders/main.go:160",
				"lib panic @ runtime/panic.go:860",
				"app shop/orders/pricing.loyaltyDiscount @ shop/orders/pricing/pricing.go:20",
				"lib github.com/gin-gonic/gin.(*Context).Next @ github.com/gin-gonic/gin@v1.9.1/context.go:174",
			}}},
			culprit: "app shop/orders/pricing.loyaltyDiscount @ shop/orders/pricing/pricing.go:20",
		},
		{
			name: "zap stacktrace without arguments",
			in: "main.handler\n\t/app/main.go:42\n" +
				"go.uber.org/zap.(*Logger).Error\n\t/go/pkg/mod/go.uber.org/zap@v1.27.0/logger.go:1\n",
			chain: []wantTrace{{frames: []string{
				"app main.handler @ /app/main.go:42",
				"lib go.uber.org/zap.(*Logger).Error @ /go/pkg/mod/go.uber.org/zap@v1.27.0/logger.go:1",
			}}},
			culprit: "app main.handler @ /app/main.go:42",
		},
		{
			name: "java suppressed and caused by, module prefixes",
			in: "java.io.IOException: close failed\n" +
				"\tat app//com.acme.Res.close(Res.java:9)\n" +
				"\tSuppressed: java.lang.IllegalStateException: flush failed\n" +
				"\t\tat com.acme.Res.flush(Res.java:20)\n" +
				"\t\t... 1 more\n" +
				"\tat java.base/java.lang.Thread.run(Thread.java:840)\n" +
				"Caused by: org.postgresql.util.PSQLException: ERROR: deadlock detected\n" +
				"\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)\n" +
				"\t... 2 more\n",
			chain: []wantTrace{
				{typ: "java.io.IOException", msg: "close failed", frames: []string{
					"app com.acme.Res.close @ Res.java:9",
					"lib java.lang.Thread.run @ Thread.java:840",
				}},
				{typ: "org.postgresql.util.PSQLException", msg: "ERROR: deadlock detected", elided: 2, frames: []string{
					"lib org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse @ QueryExecutorImpl.java:2713",
				}},
			},
			// The root cause is all library code: its wrapper's frame.
			culprit: "app com.acme.Res.close @ Res.java:9",
		},
		{
			name: "python during handling: the first traceback is the cause",
			in: "Traceback (most recent call last):\n" +
				"  File \"/srv/releases/42/app/pricing.py\", line 11, in price_cart\n" +
				"    return CATALOG[sku]\n" +
				"KeyError: 'SKU-9'\n\n" +
				"During handling of the above exception, another exception occurred:\n\n" +
				"Traceback (most recent call last):\n" +
				"  File \"/usr/lib/python3.12/site-packages/flask/app.py\", line 880, in full_dispatch_request\n" +
				"  File \"/srv/releases/42/app/views.py\", line 3, in <lambda>\n" +
				"  File \"<frozen importlib._bootstrap>\", line 1, in _call\n" +
				"pricing.CheckoutError: cannot price cart c-1\n",
			chain: []wantTrace{
				{typ: "pricing.CheckoutError", msg: "cannot price cart c-1", frames: []string{
					"lib full_dispatch_request @ /usr/lib/python3.12/site-packages/flask/app.py:880",
					"app <lambda> @ /srv/releases/42/app/views.py:3",
					"lib _call @ <frozen importlib._bootstrap>:1",
				}},
				{typ: "KeyError", msg: "'SKU-9'", frames: []string{
					"app price_cart @ /srv/releases/42/app/pricing.py:11",
				}},
			},
			culprit: "app price_cart @ /srv/releases/42/app/pricing.py:11",
		},
		{
			name: "node async, new, [as], anonymous, native, node_modules, cause",
			in: "Error: checkout failed\n" +
				"    at async Object.priceCart [as price] (/srv/app/shop.js:17:21)\n" +
				"    at new Checkout (file:///srv/app/checkout.mjs:3:1)\n" +
				"    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n" +
				"    at <anonymous>\n" +
				"    at async Promise.all (index 0)\n" +
				"  [cause]: TypeError: Cannot read properties of undefined (reading 'price')\n" +
				"      at /srv/app/lib/cart.js:9:14\n" +
				"      at Array.map (<anonymous>)\n" +
				"      at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n",
			chain: []wantTrace{
				{typ: "Error", msg: "checkout failed", frames: []string{
					"app Object.priceCart @ /srv/app/shop.js:17:21",
					"app Checkout @ file:///srv/app/checkout.mjs:3:1",
					"lib Layer.handle @ /srv/app/node_modules/express/lib/router/layer.js:95:5",
					"lib - @ <anonymous>",
					"lib Promise.all @ index 0",
				}},
				{typ: "TypeError", msg: "Cannot read properties of undefined (reading 'price')", frames: []string{
					"app - @ /srv/app/lib/cart.js:9:14",
					"lib Array.map @ <anonymous>",
					"lib process.processTicksAndRejections @ node:internal/process/task_queues:95:5",
				}},
			},
			culprit: "app - @ /srv/app/lib/cart.js:9:14",
		},
		{
			name: "ruby 3.4 quotes and Class#method, gems",
			in: "/app/models/order.rb:42:in 'block (2 levels) in Order#reserve': undefined method 'id' for nil (NoMethodError)\n" +
				"\tfrom /usr/lib/ruby/gems/3.4.0/gems/activerecord-7.1/lib/x.rb:1:in 'ActiveRecord::Base.transaction'\n" +
				"\tfrom <internal:kernel>:187:in 'Kernel#loop'\n" +
				"\tfrom /app/models/order.rb:40:in 'Order#reserve'\n",
			chain: []wantTrace{{typ: "NoMethodError", msg: "undefined method 'id' for nil", frames: []string{
				"app block (2 levels) in Order#reserve @ /app/models/order.rb:42",
				"lib ActiveRecord::Base.transaction @ /usr/lib/ruby/gems/3.4.0/gems/activerecord-7.1/lib/x.rb:1",
				"lib Kernel#loop @ <internal:kernel>:187",
				"app Order#reserve @ /app/models/order.rb:40",
			}}},
			culprit: "app block (2 levels) in Order#reserve @ /app/models/order.rb:42",
		},
		{
			name: "php uncaught with a previous exception",
			in: "PHP Fatal error:  Uncaught InvalidArgumentException: bad sku in /app/src/Cart.php:12\n" +
				"Stack trace:\n" +
				"#0 /app/vendor/laravel/framework/src/Pipeline.php(167): App\\Cart->add('x')\n" +
				"#1 /app/src/Controller.php(30): App\\Cart->total()\n" +
				"#2 {main}\n\n" +
				"Next RuntimeException: checkout failed in /app/src/Controller.php:33\n" +
				"Stack trace:\n" +
				"#0 [internal function]: App\\Controller->checkout()\n" +
				"#1 /app/public/index.php(5): App\\Kernel::handle(Object(Request))\n" +
				"#2 {main}\n" +
				"  thrown in /app/src/Controller.php on line 33\n",
			chain: []wantTrace{
				{typ: "RuntimeException", msg: "checkout failed", frames: []string{
					"lib App\\Controller->checkout @ [internal function]",
					"app App\\Kernel::handle @ /app/public/index.php:5",
					"lib {main} @ ",
				}},
				{typ: "InvalidArgumentException", msg: "bad sku", frames: []string{
					"lib App\\Cart->add @ /app/vendor/laravel/framework/src/Pipeline.php:167",
					"app App\\Cart->total @ /app/src/Controller.php:30",
					"lib {main} @ ",
				}},
			},
			culprit: "app App\\Cart->total @ /app/src/Controller.php:30",
		},
		{
			name: "java with logback packaging data",
			in: "org.springframework.dao.DataIntegrityViolationException: duplicate key\n" +
				"\tat org.springframework.orm.jpa.EntityManagerFactoryUtils.convert(EntityManagerFactoryUtils.java:374) ~[spring-orm-6.1.jar:6.1.2]\n" +
				"\tat com.acme.orders.OrderService.save(OrderService.java:88) ~[classes/:na]\n" +
				"\tat java.base/java.lang.Thread.run(Thread.java:1583) [na:na]\n",
			chain: []wantTrace{{typ: "org.springframework.dao.DataIntegrityViolationException", msg: "duplicate key", frames: []string{
				"lib org.springframework.orm.jpa.EntityManagerFactoryUtils.convert @ EntityManagerFactoryUtils.java:374",
				"app com.acme.orders.OrderService.save @ OrderService.java:88",
				"lib java.lang.Thread.run @ Thread.java:1583",
			}}},
			culprit: "app com.acme.orders.OrderService.save @ OrderService.java:88",
		},
		{
			name: ".NET without files, generic method",
			in: "System.InvalidOperationException: Sequence contains no elements\n" +
				"   at System.Linq.ThrowHelper.ThrowNoElementsException()\n" +
				"   at Shop.Orders.Repo.First[T](IEnumerable`1 source)\n",
			chain: []wantTrace{{typ: "System.InvalidOperationException", msg: "Sequence contains no elements", frames: []string{
				"lib System.Linq.ThrowHelper.ThrowNoElementsException @ ",
				"app Shop.Orders.Repo.First[T] @ ",
			}}},
			culprit: "app Shop.Orders.Repo.First[T] @ ",
		},
		{
			name: "a header whose type is no exception name, followed by frames",
			in:   "pq.Error: deadlock\n\tat com.acme.Db.query(Db.java:3)\n",
			chain: []wantTrace{{typ: "pq.Error", msg: "deadlock", frames: []string{
				"app com.acme.Db.query @ Db.java:3",
			}}},
			culprit: "app com.acme.Db.query @ Db.java:3",
		},
		{
			name:  "prose is no trace",
			in:    "something went wrong\nat the depot (today)\nand more text",
			chain: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := Parse(c.in)
			chain := tr.Chain()
			if len(chain) != len(c.chain) {
				t.Fatalf("chain of %d, want %d: %+v", len(chain), len(c.chain), chain)
			}
			for i, want := range c.chain {
				got := chain[i]
				if got.Type != want.typ || got.Message != want.msg || got.Elided != want.elided {
					t.Errorf("exception %d = %q: %q (%d elided), want %q: %q (%d)", i, got.Type, got.Message, got.Elided, want.typ, want.msg, want.elided)
				}
				var frames []string
				for _, f := range got.Frames {
					frames = append(frames, spec(f))
				}
				if !slices.Equal(frames, want.frames) {
					t.Errorf("exception %d frames:\n%s\nwant:\n%s", i, strings.Join(frames, "\n"), strings.Join(want.frames, "\n"))
				}
			}
			got := ""
			if cu := tr.Culprit(); cu != nil {
				got = spec(*cu)
			}
			if got != c.culprit {
				t.Errorf("culprit = %q, want %q", got, c.culprit)
			}
		})
	}
}

func TestLinesKinds(t *testing.T) {
	in := "panic: boom [recovered]\n\ngoroutine 1 [running]:\n" +
		"panic({0x1, 0x2})\n\t/usr/local/go/src/runtime/panic.go:860 +0x13a\n" +
		"main.f(...)\n\t/app/main.go:9\r\n" +
		"created by main.main in goroutine 1\n\t/app/main.go:3 +0x1\n"
	want := []struct {
		kind           Kind
		frame, culprit bool
	}{
		{Header, false, false}, {Header, false, false}, {Header, false, false},
		{Lib, true, false}, {Lib, false, false},
		{App, true, true}, {App, false, true},
		{App, false, false}, {App, false, false},
	}
	ls := Lines(in)
	if len(ls) != len(want) {
		t.Fatalf("%d lines, want %d", len(ls), len(want))
	}
	for i, l := range ls {
		if l.Kind != want[i].kind || l.Frame != want[i].frame || l.Culprit != want[i].culprit {
			t.Errorf("line %d %q = kind %d frame %v culprit %v, want %+v", i, l.Text, l.Kind, l.Frame, l.Culprit, want[i])
		}
		if strings.HasSuffix(l.Text, "\r") {
			t.Errorf("line %d keeps its CR", i)
		}
	}
}

// TestFingerprintFrames: names without lines, addresses, deploy paths or
// numbering; in-app frames of the root cause first; recursion once.
func TestFingerprintFrames(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"go numbering and arguments", "panic: x\n\ngoroutine 7 [running]:\n" +
			"main.handler.func3({0x1})\n\t/srv/v2/main.go:70 +0x2aa\nmain.addItem(...)\n\t/srv/v2/main.go:118\n" +
			"main.addItem(...)\n\t/srv/v2/main.go:118\n",
			[]string{"main.handler.func", "main.addItem"}},
		{"java cglib and lambdas", "java.lang.IllegalStateException: x\n" +
			"\tat shop.OrderService$$EnhancerBySpringCGLIB$$a1b2c3d4.reserve(<generated>)\n" +
			"\tat shop.Stacks.lambda$main$1(Stacks.java:27)\n",
			[]string{"shop.OrderService$$EnhancerBySpringCGLIB$$.reserve", "shop.Stacks.lambda$main$"}},
		{"root cause library-only takes the chain's app frames", "java.lang.RuntimeException: wrapped\n\tat shop.A.b(A.java:1)\n" +
			"Caused by: java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.read(SocketInputStream.java:1)\n",
			[]string{"shop.A.b"}},
		{"node bundle hash", "TypeError: x\n    at f (/app/dist/main.3f9a2b1c.js:1:2)\n",
			[]string{"main.{hex}.js:f"}},
		{"ruby block levels", "/app/order.rb:4:in `block (2 levels) in reserve': x (RuntimeError)\n",
			[]string{"order:block in reserve"}},
		{"no frames", "just text", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Parse(c.in).FingerprintFrames(); !slices.Equal(got, c.want) {
				t.Errorf("FingerprintFrames = %q, want %q", got, c.want)
			}
		})
	}
}

// withoutRaw returns the chain with Raw cleared, for comparing traces that
// were read from different text.
func withoutRaw(t *Trace) []Trace {
	var out []Trace
	for _, c := range t.Chain() {
		cc := *c
		cc.Cause = nil
		cc.Frames = slices.Clone(c.Frames)
		for i := range cc.Frames {
			cc.Frames[i].Raw = ""
		}
		cc.Suppressed = nil
		for _, s := range c.Suppressed {
			cc.Suppressed = append(cc.Suppressed, &withoutRaw(s)[0])
		}
		out = append(out, cc)
	}
	return out
}

// TestFormatRoundTrip: Format writes what Parse reads back as the same
// trace, for every corpus file and dialect case.
func TestFormatRoundTrip(t *testing.T) {
	var inputs []string
	for _, c := range corpus {
		inputs = append(inputs, readStack(t, c.file))
	}
	inputs = append(inputs, "java.io.IOException: close failed\n\tat com.acme.Res.close(Res.java:9)\n"+
		"\tSuppressed: java.lang.IllegalStateException: flush failed\n\t\tat com.acme.Res.flush(Res.java:20)\n\t\t... 1 more\n"+
		"Caused by: java.sql.SQLException: gone\n\tat com.acme.Db.q(Db.java:3)\n\t... 2 more\n",
		"PHP Fatal error:  Uncaught InvalidArgumentException: bad sku in /app/src/Cart.php:12\nStack trace:\n"+
			"#0 /app/src/Controller.php(30): App\\Cart->total()\n#1 {main}\n\nNext RuntimeException: checkout failed in /app/src/C.php:33\n"+
			"Stack trace:\n#0 [internal function]: App\\Controller->checkout()\n#1 {main}\n",
		"Error: outer\n    at f (/app/a.js:1:2)\n  [cause]: TypeError: inner\n      at /app/b.js:3:4\n")
	for _, in := range inputs {
		first := Parse(in)
		text := Format(first)
		again := Parse(text)
		if !reflect.DeepEqual(withoutRaw(first), withoutRaw(again)) {
			t.Errorf("Parse(Format(Parse(x))) differs:\n%s\nfirst  %+v\nagain  %+v", text, withoutRaw(first), withoutRaw(again))
		}
		if Format(again) != text {
			t.Errorf("Format is not stable:\n%s\nthen\n%s", text, Format(again))
		}
	}
}

// TestJavaStyleStructured: structured stacks (frame objects, "file:line"
// strings, cause chains) written as Java-style text parse with their
// causes; FromFrames classifies like Parse.
func TestJavaStyleStructured(t *testing.T) {
	root := FromFrames("KeyError", "'sku'", []Frame{
		{Function: "present", File: "/srv/app/inventory.py", Line: 71},
		{Function: "dispatch", File: "/usr/lib/python3.12/site-packages/flask/app.py", Line: 880},
	})
	outer := FromFrames("CheckoutError", "cannot price", []Frame{
		{Function: "com.acme.Cart.total", Module: "com.acme.Cart", File: "Cart.java", Line: 12},
		{Function: "org.springframework.web.Dispatcher.run", File: "Dispatcher.java", Line: 1},
		{File: "/app/src/price.js", Line: 3, Col: 9},
	})
	outer.Cause = root
	if got := []bool{root.Frames[0].InApp, root.Frames[1].InApp, outer.Frames[0].InApp, outer.Frames[1].InApp, outer.Frames[2].InApp}; !slices.Equal(got, []bool{true, false, true, false, true}) {
		t.Errorf("FromFrames in-app = %v", got)
	}
	if l := root.Frames[0].Lang; l != Python {
		t.Errorf("FromFrames lang of a .py frame = %q", l)
	}
	if c := outer.Culprit(); c == nil || c.Function != "present" {
		t.Errorf("culprit of a built chain = %+v, want the root cause's present", c)
	}
	text := "CheckoutError: cannot price\n" +
		"\tat com.acme.Cart.total(Cart.java:12)\n" +
		"\tat /app/src/price.js:3:9\n" +
		"Caused by: KeyError: 'sku'\n" +
		"\tat inventory.present(inventory.py:71)\n"
	tr := Parse(text)
	chain := tr.Chain()
	if len(chain) != 2 || chain[1].Type != "KeyError" || chain[1].Message != "'sku'" {
		t.Fatalf("Java-style chain = %+v", withoutRaw(tr))
	}
	if c := tr.Culprit(); c == nil || c.Function != "inventory.present" || c.File != "inventory.py" || c.Line != 71 {
		t.Errorf("culprit = %+v, want inventory.present at inventory.py:71", c)
	}
	if f := chain[0].Frames[1]; f.File != "/app/src/price.js" || f.Line != 3 || f.Col != 9 || !f.InApp {
		t.Errorf("file:line frame = %+v", f)
	}
	// Frames of other languages written the JVM's way keep their
	// dialect's rules (by the file's extension).
	goFrames := Parse("E: x\n\tat net/http.HandlerFunc.ServeHTTP(net/http/server.go:2286)\n" +
		"\tat main.(*server).get(handlers.go:80)\n\tat handler(/app/src/h.ts:4:2)\n").Frames
	want := []string{"lib net/http.HandlerFunc.ServeHTTP @ net/http/server.go:2286", "app main.(*server).get @ handlers.go:80",
		"app handler @ /app/src/h.ts:4:2"}
	var got []string
	for _, f := range goFrames {
		got = append(got, spec(f))
	}
	if !slices.Equal(got, want) {
		t.Errorf("JVM-style frames of other languages = %q, want %q", got, want)
	}
	if goFrames[0].Lang != Go || goFrames[2].Lang != Node {
		t.Errorf("dialects %q, %q; want go, node", goFrames[0].Lang, goFrames[2].Lang)
	}
}

// TestHugeInput: a hostile stack costs time linear in its size, and the
// frames kept are capped.
func TestHugeInput(t *testing.T) {
	var b strings.Builder
	b.WriteString("java.lang.Exception: x\n")
	for b.Len() < 8<<20 {
		b.WriteString("\tat com.acme.A.b(A.java:1)\n")
	}
	b.WriteString(strings.Repeat("a: ", 1<<18) + "\n")
	tr, ls := ParseLines(b.String())
	if n := len(tr.Frames); n != maxFrames {
		t.Errorf("%d frames kept, want the cap %d", n, maxFrames)
	}
	if len(ls) != strings.Count(b.String(), "\n") {
		t.Errorf("Lines returned %d lines for %d", len(ls), strings.Count(b.String(), "\n"))
	}
	long := "Error: " + strings.Repeat("x", 1<<20) + "\n" + strings.Repeat("    at f (/a.js:1:1)", 1<<15)
	if tr := Parse(long); tr == nil || tr.Type != "Error" {
		t.Errorf("a 1 MiB message line: %v", tr)
	}
}

func TestGoPanicMessage(t *testing.T) {
	for _, suffix := range []string{"", " [recovered]", " [recovered, repanicked]"} {
		tr := Parse("panic: boom" + suffix + "\n\ngoroutine 1 [running]:\nmain.f()\n\t/app/main.go:3 +0x1\n")
		if tr == nil || tr.Type != "panic" || tr.Message != "boom" {
			t.Errorf("panic with %q: %+v, want panic: boom", suffix, tr)
		}
	}
}

// TestShortenedThrowable reads traces as logstash-logback-encoder's
// ShortenedThrowableConverter prints them: an inline hash before each
// exception, abbreviated class names, and with rootCauseFirst the root cause
// first and each wrapping exception after it under "Wrapped by:".
func TestShortenedThrowable(t *testing.T) {
	in := "<#af02f11c> j.l.NullPointerException: item is null\n" +
		"\tat c.a.orders.Catalog.priceFor(Catalog.java:17)\n" +
		"\tat com.acme.orders.Shop.handle(Shop.java:84)\n" +
		"\t... 4 frames excluded\n" +
		"Wrapped by: <#0d3e51aa> c.a.o.CheckoutException: checkout failed\n" +
		"\tat com.acme.orders.Shop.serve(Shop.java:102)\n"
	tr := Parse(in)
	if tr == nil {
		t.Fatal("no trace")
	}
	if tr.Type != "c.a.o.CheckoutException" || tr.Message != "checkout failed" {
		t.Errorf("outer = %q: %q, want the wrapping exception", tr.Type, tr.Message)
	}
	root := tr.Root()
	if root.Type != "j.l.NullPointerException" || root.Message != "item is null" {
		t.Errorf("root = %q: %q, want the NullPointerException printed first", root.Type, root.Message)
	}
	if len(root.Frames) == 0 || !strings.HasSuffix(root.Frames[0].Function, ".priceFor") {
		t.Errorf("root frames = %+v, want priceFor first", root.Frames)
	}
	if tr := Parse("<#zz> x.Y: not a hash\n\tat a.B.c(B.java:1)\n"); tr == nil || tr.Type == "x.Y" {
		t.Errorf("a <#…> that is no hex hash is cut: %+v", tr)
	}
}
