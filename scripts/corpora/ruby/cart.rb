# Toy cart code for the Ruby stack corpora (see gen.sh).
class Cart
  CATALOG = { "SKU-1042" => { price: 1999 }, "SKU-77" => { price: 450 } }.freeze

  def initialize(id, items)
    @id = id
    @items = items
  end

  def total
    @items.sum { |item| CATALOG[item[:sku]][:price] * item[:qty] }
  end

  def average_price
    total / @items.sum { |item| item[:qty] }
  end
end
