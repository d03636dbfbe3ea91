package query

import "testing"

func TestFrameQuery(t *testing.T) {
	cases := []struct{ line, want string }{
		{"main.(*server).getOrder(0x1f93be616108, {0x7c9060, 0x1f93be617a40}, 0x1f93be99c000)", `stack:"main.(*server).getOrder"`},
		{"main.loyaltyDiscount(...)", `stack:"main.loyaltyDiscount"`},
		{"\tculprit-incident/orders/pricing_loyalty.go:20 +0x4e4", `stack:"culprit-incident/orders/pricing_loyalty.go:20"`},
		{"\tat com.shop.Orders.total(Orders.java:42)", `stack:"com.shop.Orders.total(Orders.java:42)"`},
		{`  File "/app/orders.py", line 12, in handler`, `stack:"File \"/app/orders.py\", line 12, in handler"`},
		{"goroutine 586 [running]:", ""},
		{"\t... 12 more", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := FrameQuery(c.line); got != c.want {
			t.Errorf("FrameQuery(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}
