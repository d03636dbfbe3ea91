"""Toy business code shared by the Python corpus producers: its bug gives the
committed corpora a real CPython traceback."""

CATALOG = {"SKU-1042": {"price": 1999}, "SKU-77": {"price": 450}}


def load_cart(user_id):
    if user_id == "u-2231":
        # a cart row whose product was deleted from the catalog
        return [{"sku": "SKU-1042", "qty": 2}, {"sku": "SKU-9", "qty": 1}]
    return [{"sku": "SKU-77", "qty": 1}]


def price_cart(items):
    return sum(CATALOG[item["sku"]]["price"] * item["qty"] for item in items)


def checkout(user_id):
    items = load_cart(user_id)
    return {"total": price_cart(items)}
