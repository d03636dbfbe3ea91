package shop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A tiny orders API (JDK HttpServer on 127.0.0.1) logging through SLF4J,
 * logback and logstash-logback-encoder's LogstashEncoder (see logback.xml),
 * with traceId/requestId/userId in the MDC. The client sends the corpus
 * scenario; the log goes to stdout.
 */
public class LogstashCorpus {
    private static final Logger log = LoggerFactory.getLogger(LogstashCorpus.class);
    private static final Logger access = LoggerFactory.getLogger("shop.http.AccessLog");
    private static final OrderService orders = new OrderService();

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", LogstashCorpus::handle);
        server.start();
        log.info("Started OrdersApplication on port {}", server.getAddress().getPort());
        HttpClient client = HttpClient.newHttpClient();
        String[][] scenario = {
            {"GET", "/api/orders/1042", "5f2b9c1de0a34b7f", "u-1017"},
            {"POST", "/api/orders", "a81c3e5f7b9d2046", "u-2231"},
            {"GET", "/api/orders/7?expand=items", "0c4e6a8b1d3f5e79", null},
            {"GET", "/api/users/u-1017/orders", "9d8c7b6a5f4e3d2c", "u-1017"},
            {"DELETE", "/api/orders/1042/items/SKU-77", "3e7f9a1c5b2d4f6a", "u-1017"},
        };
        for (String[] s : scenario) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + s[1]))
                .header("X-B3-TraceId", s[2]).method(s[0], HttpRequest.BodyPublishers.noBody());
            if (s[3] != null) b.header("X-User-Id", s[3]);
            client.send(b.build(), HttpResponse.BodyHandlers.discarding());
            Thread.sleep(60);
        }
        server.stop(0);
    }

    static void handle(HttpExchange ex) throws java.io.IOException {
        long start = System.nanoTime();
        String method = ex.getRequestMethod();
        String uri = ex.getRequestURI().toString();
        MDC.put("traceId", ex.getRequestHeaders().getFirst("X-B3-TraceId"));
        String user = ex.getRequestHeaders().getFirst("X-User-Id");
        if (user != null) MDC.put("userId", user);
        MDC.put("method", method);
        MDC.put("path", uri);
        int status;
        try {
            if (method.equals("DELETE")) {
                log.info("Removed {} from order {}", "SKU-77", 1042);
                status = 204;
            } else if (method.equals("POST")) {
                orders.placeOrder(1042, "SKU-1042");
                status = 201;
            } else if (uri.startsWith("/api/orders/7")) {
                log.warn("Order {} not found", 7);
                status = 404;
            } else {
                log.debug("Loaded order from cache");
                status = 200;
            }
        } catch (RuntimeException e) {
            log.error("Request processing failed: {}", e.getMessage(), e);
            status = 500;
        }
        ex.sendResponseHeaders(status, -1);
        ex.close();
        MDC.put("status", Integer.toString(status));
        MDC.put("durationMs", Long.toString((System.nanoTime() - start) / 1_000_000));
        if (status >= 500) access.error("{} {} -> {}", method, uri, status);
        else access.info("{} {} -> {}", method, uri, status);
        MDC.clear();
    }
}
