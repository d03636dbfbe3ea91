package com.acme.orders;

import java.util.Map;

/** Prices by SKU. */
final class Catalog {
    record Item(String sku, int cents) {}

    private static final Map<String, Item> ITEMS = Map.of(
            "SKU-1042", new Item("SKU-1042", 1999),
            "SKU-2001", new Item("SKU-2001", 450));

    private Catalog() {}

    /** The bug: an unknown SKU has no item. */
    static int priceFor(String sku, int qty) {
        return ITEMS.get(sku).cents() * qty;
    }
}
