package com.acme.orders;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * The orders service every Java producer runs: a real HTTP server on
 * 127.0.0.1 and a client sending it the same eight requests. Two checkouts
 * hit one bug (a SKU missing from the catalog: NullPointerException in
 * Catalog.priceFor), one a quantity that is not a number
 * (NumberFormatException in Shop.readOrder).
 */
public final class Shop {
    /** The service's name. */
    public static final String SERVICE = "orders";

    /** A logger bound to the library; the request id is bound by {@link #begin}. */
    public interface Log {
        void startup(String msg, Map<String, Object> fields);

        /** Binds the request id for the current thread (MDC, ThreadContext, ...). */
        void begin(String requestId);

        void end();

        void info(String msg, Map<String, Object> fields);

        void error(String msg, Throwable t, Map<String, Object> fields);
    }

    private static final String[][] REQUESTS = {
        {"GET", "/api/orders/1042", "", "u-1017"},
        {"POST", "/api/checkout", "sku=SKU-1042&qty=2", "u-1017"},
        {"POST", "/api/checkout", "sku=SKU-9999&qty=1", "u-2231"}, // priceFor bug
        {"GET", "/api/orders/7", "", ""},
        {"POST", "/api/checkout", "sku=SKU-2001&qty=two", "u-3301"}, // not a number
        {"POST", "/api/checkout", "sku=SKU-2001&qty=3", "u-2231"},
        {"POST", "/api/checkout", "sku=SKU-7777&qty=4", "u-4410"}, // priceFor bug
        {"GET", "/api/orders/1042", "", "u-3301"},
    };

    private Shop() {}

    /** The id of the i-th request (0-based) of producer lib: a UUID derived from both. */
    public static String requestId(String lib, int i) throws Exception {
        byte[] h = MessageDigest.getInstance("SHA-1").digest((lib + "/" + i).getBytes(StandardCharsets.UTF_8));
        String x = HexFormat.of().formatHex(h);
        return x.substring(0, 8) + "-" + x.substring(8, 12) + "-" + x.substring(12, 16) + "-" + x.substring(16, 20)
                + "-" + x.substring(20, 32);
    }

    record Order(String sku, int qty) {}

    static Order readOrder(String body) {
        String sku = null;
        int qty = 0;
        for (String kv : body.split("&")) {
            String[] p = kv.split("=", 2);
            if (p[0].equals("sku")) {
                sku = p[1];
            } else if (p[0].equals("qty")) {
                qty = Integer.parseInt(p[1]);
            }
        }
        return new Order(sku, qty);
    }

    static String handle(String method, String path, String body) {
        if (method.equals("GET")) {
            return path.endsWith("/1042") ? "200 {\"id\":1042}" : "404 {\"error\":\"not found\"}";
        }
        Order o = readOrder(body);
        return "200 {\"total_cents\":" + Catalog.priceFor(o.sku(), o.qty()) + "}";
    }

    private static void serve(Log log, HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        log.begin(ex.getRequestHeaders().getFirst("X-Request-Id"));
        try {
            String user = ex.getRequestHeaders().getFirst("X-User-Id");
            log.info("request started", user == null ? Map.of("method", method, "path", path)
                    : Map.of("method", method, "path", path, "user_id", user));
            String out;
            try {
                out = handle(method, path, body);
            } catch (RuntimeException e) {
                log.error("checkout failed", e, Map.of("method", method, "path", path));
                out = "500 {\"error\":\"internal error\"}";
            }
            int status = Integer.parseInt(out.substring(0, 3));
            byte[] b = out.substring(4).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
            double ms = Math.round((System.nanoTime() - start) / 1000.0) / 1000.0;
            log.info("request completed", Map.of("method", method, "path", path, "status", status, "duration_ms", ms));
        } finally {
            log.end();
        }
    }

    /** Serves the requests through log. */
    public static void run(String lib, Log log) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> serve(log, ex));
        server.start();
        int port = server.getAddress().getPort();
        log.startup("listening", Map.of("addr", "127.0.0.1:" + port));
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < REQUESTS.length; i++) {
            String[] r = REQUESTS[i];
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + r[1]))
                    .header("X-Request-Id", requestId(lib, i))
                    .method(r[0], r[2].isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(r[2]));
            if (!r[3].isEmpty()) {
                b.header("X-User-Id", r[3]);
            }
            client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(3);
        }
        server.stop(0);
    }
}
