package com.example.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;

/**
 * payments charges customers and answers wallet balances. It knows the caller
 * only by the W3C traceparent header and puts traceId, spanId and parentId in
 * log4j2's ThreadContext for every line of a request.
 */
public final class Main {
    private static final Logger LOG = LogManager.getLogger(Main.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong PAYMENTS = new AtomicLong(700000);
    private static final Map<String, BigDecimal> WALLETS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getProperty("payments.port", "27294"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/health", ex -> reply(ex, 200, Map.of("status", "ok", "version", Version.VERSION)));
        server.createContext("/charge", Main::charge);
        server.createContext("/wallet/", Main::wallet);
        server.start();
        LOG.info("payments {} started on port {}", Version.VERSION, port);
    }

    private static void charge(HttpExchange ex) throws IOException {
        startSpan(ex);
        try {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, Map.of("error", "method not allowed"));
                return;
            }
            JsonNode req = JSON.readTree(ex.getRequestBody());
            String user = req.path("user").asText("");
            BigDecimal amount = new BigDecimal(req.path("amount").asText("0"));
            String currency = req.path("currency").asText("EUR");
            if (user.isEmpty() || amount.signum() <= 0) {
                reply(ex, 400, Map.of("error", "want {user, amount > 0, currency}"));
                return;
            }
            BigDecimal eur = Settlement.toEur(amount, currency);
            String id = "pay_" + PAYMENTS.incrementAndGet();
            WALLETS.merge(user, eur, BigDecimal::add);
            LOG.info("charge settled: {} {} {} ({} EUR)", id, amount, currency, eur);
            reply(ex, 200, Map.of("payment_id", id, "settled_eur", eur.toPlainString()));
        } catch (Exception e) {
            LOG.error("charge failed", e);
            reply(ex, 500, Map.of("error", "internal error"));
        } finally {
            ThreadContext.clearMap();
        }
    }

    private static void wallet(HttpExchange ex) throws IOException {
        startSpan(ex);
        try {
            String user = ex.getRequestURI().getPath().substring("/wallet/".length());
            BigDecimal spent = WALLETS.getOrDefault(user, BigDecimal.ZERO);
            LOG.info("wallet read: {} EUR spent", spent);
            reply(ex, 200, Map.of("user", user, "spent_eur", spent.toPlainString()));
        } catch (Exception e) {
            LOG.error("wallet failed", e);
            reply(ex, 500, Map.of("error", "internal error"));
        } finally {
            ThreadContext.clearMap();
        }
    }

    /** startSpan reads traceparent and starts this request's span as its child. */
    private static void startSpan(HttpExchange ex) {
        String tp = ex.getRequestHeaders().getFirst("traceparent");
        String spanId = hex(8);
        String traceId;
        String parentId = null;
        String[] parts = tp == null ? new String[0] : tp.split("-");
        if (parts.length == 4 && parts[0].equals("00") && parts[1].matches("[0-9a-f]{32}") && parts[2].matches("[0-9a-f]{16}")) {
            traceId = parts[1];
            parentId = parts[2];
        } else {
            traceId = hex(16);
        }
        ThreadContext.put("traceId", traceId);
        ThreadContext.put("spanId", spanId);
        if (parentId != null) {
            ThreadContext.put("parentId", parentId);
        }
    }

    private static String hex(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void reply(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    private Main() {}
}
