"""Toy pricing code for the Python stack corpora (see ../gen.sh)."""

CATALOG = {"SKU-1042": {"price": 1999}, "SKU-77": {"price": 450}}


class CheckoutError(Exception):
    """Raised when a cart cannot be checked out."""


def price_cart(items):
    return sum(CATALOG[item["sku"]]["price"] * item["qty"] for item in items)


def checkout(cart_id, items):
    try:
        return price_cart(items)
    except KeyError as e:
        raise CheckoutError(f"cannot price cart {cart_id}") from e


def loyalty_discount(customer):
    return customer.get("tier").discount
