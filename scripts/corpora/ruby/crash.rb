# Crashes so that Ruby prints a real backtrace.
# Usage: ruby crash.rb nomethod|zerodiv OCCURRENCE
#   nomethod: uncaught NoMethodError, Ruby's own crash report on stderr;
#   zerodiv: rescued, logged as Rails does (message, then backtrace lines).
require_relative "cart"

class CheckoutController
  def create(n)
    cart = Cart.new("c-#{4411 * n}", [{ sku: "SKU-1042", qty: 2 }, { sku: "SKU-#{9 * n}", qty: 1 }])
    { total: cart.total }
  end

  def stats(n)
    Cart.new("c-#{n}", []).average_price
  rescue ZeroDivisionError => e
    $stderr.puts "#{e.class} (#{e.message}):"
    $stderr.puts e.backtrace.map { |l| "  #{l}" }
  end
end

bug, n = ARGV[0], Integer(ARGV[1])
controller = CheckoutController.new
bug == "nomethod" ? controller.create(n) : controller.stats(n)
