// Package checkout is the toy business code that the corpus producers call:
// its errors and panics give the committed corpora real Go stack traces.
package checkout

import (
	stderrors "errors"

	"github.com/pkg/errors"
)

// ErrDeadlock is what the database driver returns under lock contention.
var ErrDeadlock = stderrors.New("pq: deadlock detected")

// ReserveInventory locks the stock rows of sku; it always fails with a
// wrapped ErrDeadlock (pkg/errors, so %+v carries a stack).
func ReserveInventory(sku string, qty int) error {
	if err := lockRows(sku, qty); err != nil {
		return errors.Wrapf(err, "reserve inventory for %s", sku)
	}
	return nil
}

func lockRows(sku string, qty int) error {
	if qty > 0 {
		return ErrDeadlock
	}
	return nil
}

// Cart is a shopping cart; a Cart whose Items is nil panics on Add.
type Cart struct {
	Items map[string]int
}

// Add puts qty of sku into the cart.
func (c *Cart) Add(sku string, qty int) {
	c.Items[sku] += qty
}

// PickWarehouse returns the stock of the warehouse serving zone; it panics
// when zone is out of range.
func PickWarehouse(stock []int, zone int) int {
	return stock[zone]
}

// Tier is a loyalty tier.
type Tier struct {
	Discount int
}

// Customer is a shop customer; Tier may be nil.
type Customer struct {
	ID   string
	Tier *Tier
}

// DiscountFor returns the customer's discount; it panics when Tier is nil.
func DiscountFor(c *Customer) int {
	return c.Tier.Discount
}
