package shop;

import java.sql.SQLTransientConnectionException;
import java.util.Map;

/** Toy business code: its bugs give the committed corpora real Java stack traces. */
public class OrderService {
    private final Map<String, Integer> stock = Map.of("SKU-1042", 3, "SKU-77", 12);

    /** Reserves stock for an order; the connection pool is exhausted, so it always fails. */
    public void placeOrder(long orderId, String sku) {
        try {
            reserve(orderId, sku);
        } catch (SQLTransientConnectionException e) {
            throw new IllegalStateException("could not reserve stock for order " + orderId, e);
        }
    }

    void reserve(long orderId, String sku) throws SQLTransientConnectionException {
        Pool.getConnection(30000);
    }

    /** Returns the shelf label of a SKU; a null SKU throws a helpful NullPointerException. */
    public String label(String sku) {
        return sku.toUpperCase() + "/" + stock.getOrDefault(sku, 0);
    }

    static class Pool {
        static Object getConnection(long timeoutMs) throws SQLTransientConnectionException {
            throw new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after " + timeoutMs + "ms.");
        }
    }
}
