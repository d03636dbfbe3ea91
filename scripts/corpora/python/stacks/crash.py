"""Crashes in one of two ways so that CPython prints a real traceback.
Usage: crash.py pricing|none OCCURRENCE"""

import sys

import pricing


def handle_checkout(n):
    cart = [{"sku": "SKU-1042", "qty": 2}, {"sku": f"SKU-{9 * n}", "qty": 1}]
    return pricing.checkout(f"c-{4411 * n}", cart)


def handle_discount(n):
    customer = {"id": f"u-{2231 * n}", "tier": None}
    return pricing.loyalty_discount(customer)


if __name__ == "__main__":
    bug, n = sys.argv[1], int(sys.argv[2])
    (handle_checkout if bug == "pricing" else handle_discount)(n)
