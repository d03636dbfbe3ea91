package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Billing is a user's billing profile; accounts on the legacy plan have none.
type Billing struct {
	Plan           string `json:"plan"`
	LoyaltyPercent int    `json:"loyalty_percent"`
}

// User is a customer account as the db stores it.
type User struct {
	ID      int      `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Plan    string   `json:"plan"`
	Billing *Billing `json:"billing,omitempty"`
}

// Item is one line of an order or cart.
type Item struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"price_cents"`
}

// Coupon is a discount attached to an order.
type Coupon struct {
	Code    string `json:"code"`
	Percent int    `json:"percent"`
}

// Order is a placed order as the db stores it.
type Order struct {
	ID        int       `json:"id"`
	UserID    int       `json:"user_id"`
	Items     []Item    `json:"items"`
	Coupon    *Coupon   `json:"coupon"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

type cart struct {
	UserID int    `json:"user_id"`
	Items  []Item `json:"items"`
}

func userID(r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.Header.Get("X-User-ID"))
	return id, err == nil && id > 0
}

func (s *server) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "order id must be a number"})
		return
	}
	uid, _ := userID(r)
	var o Order
	status, derr := s.db.do(r.Context(), "GET", "/orders/"+strconv.Itoa(id), nil, &o)
	if derr != nil {
		fail(w, r, "get order", derr)
		return
	}
	if status == http.StatusNotFound || o.UserID != uid {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "order not found"})
		return
	}
	var u User
	if _, derr := s.db.do(r.Context(), "GET", "/users/"+strconv.Itoa(o.UserID), nil, &u); derr != nil {
		fail(w, r, "get user", derr)
		return
	}
	sub, total := orderTotal(&o, &u)
	writeJSON(w, http.StatusOK, map[string]any{
		"id": o.ID, "status": o.Status, "items": o.Items, "coupon": o.Coupon,
		"subtotal_cents": sub, "total_cents": total, "created_at": o.CreatedAt,
	})
}

type itemRequest struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type reservation struct {
	Items []Item `json:"items"`
}

// reserve asks inventory to hold stock; it answers the client itself and
// returns false when the reservation did not go through.
func (s *server) reserve(w http.ResponseWriter, r *http.Request, items []itemRequest) ([]Item, bool) {
	var res reservation
	status, derr := s.inv.do(r.Context(), "POST", "/internal/reserve", map[string]any{"items": items}, &res)
	if derr != nil {
		fail(w, r, "reserve stock", derr)
		return nil, false
	}
	switch {
	case status == http.StatusConflict:
		writeJSON(w, http.StatusConflict, map[string]string{"error": "out of stock"})
		return nil, false
	case status >= 400:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown item"})
		return nil, false
	}
	return res.Items, true
}

func (s *server) createOrder(w http.ResponseWriter, r *http.Request) {
	uid, ok := userID(r)
	var body struct {
		Items []itemRequest `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !ok || len(body.Items) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "an order needs a user and at least one item"})
		return
	}
	for _, it := range body.Items {
		if it.SKU == "" || it.Qty <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "every item needs a sku and a positive qty"})
			return
		}
	}
	items, ok := s.reserve(w, r, body.Items)
	if !ok {
		return
	}
	var o Order
	if _, derr := s.db.do(r.Context(), "POST", "/orders", Order{UserID: uid, Items: items}, &o); derr != nil {
		fail(w, r, "insert order", derr)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (s *server) profile(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "user id must be a number"})
		return
	}
	var u User
	status, derr := s.db.do(r.Context(), "GET", "/users/"+strconv.Itoa(id), nil, &u)
	if derr != nil {
		fail(w, r, "get user", derr)
		return
	}
	if status == http.StatusNotFound {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "user not found"})
		return
	}
	var orders []Order
	if _, derr := s.db.do(r.Context(), "GET", "/users/"+strconv.Itoa(id)+"/orders", nil, &orders); derr != nil {
		fail(w, r, "list orders", derr)
		return
	}
	recent := []int{}
	for i := len(orders) - 1; i >= 0 && len(recent) < 5; i-- {
		recent = append(recent, orders[i].ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "name": u.Name, "plan": u.Plan, "recent_orders": recent})
}

func (s *server) getCart(w http.ResponseWriter, r *http.Request) {
	uid, ok := userID(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in first"})
		return
	}
	var c cart
	if _, derr := s.db.do(r.Context(), "GET", "/carts/"+strconv.Itoa(uid), nil, &c); derr != nil {
		fail(w, r, "get cart", derr)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *server) addCartItem(w http.ResponseWriter, r *http.Request) {
	uid, ok := userID(r)
	var it itemRequest
	if err := json.NewDecoder(r.Body).Decode(&it); err != nil || !ok || it.SKU == "" || it.Qty <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "an item needs a sku and a positive qty"})
		return
	}
	var price struct {
		PriceCents int `json:"price_cents"`
	}
	status, derr := s.inv.do(r.Context(), "GET", "/internal/items/"+it.SKU, nil, &price)
	if derr != nil {
		fail(w, r, "price item", derr)
		return
	}
	if status == http.StatusNotFound {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown item"})
		return
	}
	var c cart
	if _, derr := s.db.do(r.Context(), "POST", "/carts/"+strconv.Itoa(uid)+"/items",
		Item{SKU: it.SKU, Qty: it.Qty, PriceCents: price.PriceCents}, &c); derr != nil {
		fail(w, r, "add cart item", derr)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *server) checkout(w http.ResponseWriter, r *http.Request) {
	uid, ok := userID(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in first"})
		return
	}
	var c cart
	if _, derr := s.db.do(r.Context(), "GET", "/carts/"+strconv.Itoa(uid), nil, &c); derr != nil {
		fail(w, r, "get cart", derr)
		return
	}
	if len(c.Items) == 0 {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "cart is empty"})
		return
	}
	req := make([]itemRequest, 0, len(c.Items))
	for _, it := range c.Items {
		req = append(req, itemRequest{SKU: it.SKU, Qty: it.Qty})
	}
	items, ok := s.reserve(w, r, req)
	if !ok {
		return
	}
	var o Order
	if _, derr := s.db.do(r.Context(), "POST", "/orders", Order{UserID: uid, Items: items}, &o); derr != nil {
		fail(w, r, "insert order", derr)
		return
	}
	if _, derr := s.db.do(r.Context(), "DELETE", "/carts/"+strconv.Itoa(uid), nil, nil); derr != nil {
		fail(w, r, "clear cart", derr)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
