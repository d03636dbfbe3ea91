package main

func subtotalCents(o *Order) int {
	sum := 0
	for _, it := range o.Items {
		sum += it.Qty * it.PriceCents
	}
	return sum
}

func couponDiscount(o *Order, subtotal int) int {
	if o.Coupon == nil {
		return 0
	}
	return subtotal * o.Coupon.Percent / 100
}
