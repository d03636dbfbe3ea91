package shop;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Produces real Java stack traces for culprit's fingerprint tests: an
 * uncaught exception in a worker thread, printed by the JVM's default
 * handler to stderr ("Exception in thread ...", "Caused by:", "... N more").
 *
 * Usage: java shop.Stacks reserve|npe OCCURRENCE
 * The occurrence number changes the order id and the worker thread; gen.sh
 * builds occurrence 2 from an edited copy so that line numbers shift too.
 */
public class Stacks {
    public static void main(String[] args) throws Exception {
        String bug = args[0];
        int n = Integer.parseInt(args[1]);
        OrderService orders = new OrderService();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < n * 2; i++) {
            pool.execute(() -> orders.label("SKU-77"));
        }
        pool.execute(() -> {
            if (bug.equals("reserve")) {
                new Stacks().checkout(orders, 1042L * n + 7, "SKU-1042");
            } else {
                new Stacks().printLabel(orders, n == 1 ? null : lookup("SKU-" + n));
            }
        });
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    void checkout(OrderService orders, long orderId, String sku) {
        orders.placeOrder(orderId, sku);
    }

    void printLabel(OrderService orders, String sku) {
        System.out.println(orders.label(sku));
    }

    static String lookup(String key) {
        return System.getProperty("shop.sku." + key);
    }
}
