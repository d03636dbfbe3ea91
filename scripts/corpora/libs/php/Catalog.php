<?php
// The catalog of the orders service (service.php); priceFor holds the bug.

declare(strict_types=1);

namespace Acme\Orders;

final class Item
{
    public function __construct(private string $sku, private int $cents) {}

    public function cents(): int
    {
        return $this->cents;
    }
}

final class Catalog
{
    /** @var array<string, Item> */
    private array $items;

    public function __construct()
    {
        $this->items = ['SKU-1042' => new Item('SKU-1042', 1999), 'SKU-2001' => new Item('SKU-2001', 450)];
    }

    public function priceFor(string $sku, int $qty): int
    {
        $item = $this->items[$sku] ?? null;
        return $item->cents() * $qty;
    }
}
