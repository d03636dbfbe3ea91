//go:build loyalty

package main

// Release 1.9.0: loyalty pricing. Orders without a coupon get the customer's
// loyalty discount (coupons and loyalty do not stack).

// orderTotal prices an order: the subtotal of its items, less its coupon or,
// without one, the customer's loyalty discount.
func orderTotal(o *Order, u *User) (subtotal, total int) {
	subtotal = subtotalCents(o)
	if o.Coupon != nil {
		return subtotal, subtotal - couponDiscount(o, subtotal)
	}
	return subtotal, subtotal - loyaltyDiscount(u, subtotal)
}

// loyaltyDiscount is the customer's loyalty percentage of the subtotal.
func loyaltyDiscount(u *User, subtotal int) int {
	return subtotal * u.Billing.LoyaltyPercent / 100
}
