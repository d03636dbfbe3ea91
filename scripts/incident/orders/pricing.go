//go:build !loyalty

package main

// orderTotal prices an order: the subtotal of its items, less its coupon.
func orderTotal(o *Order, _ *User) (subtotal, total int) {
	subtotal = subtotalCents(o)
	return subtotal, subtotal - couponDiscount(o, subtotal)
}
