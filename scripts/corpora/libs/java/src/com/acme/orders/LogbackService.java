package com.acme.orders;

import static net.logstash.logback.argument.StructuredArguments.entries;

import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The orders service on SLF4J and Logback with logstash-logback-encoder's
 * LogstashEncoder, configured (logback-logstash.xml) as services tune it for
 * a log pipeline: Cloud Logging field names ({@code severity}), a shortened
 * stack trace (abbreviated class names, root cause first, frames of the JDK's
 * HTTP server left out) with its hash. The request id is in the MDC; fields
 * go as StructuredArguments; errors through logger.error(message, throwable).
 */
public final class LogbackService {
    private static final Logger LOG = LoggerFactory.getLogger(LogbackService.class);

    private LogbackService() {}

    public static void main(String[] args) throws Exception {
        Shop.run(args[0], new Shop.Log() {
            public void startup(String msg, Map<String, Object> f) {
                LOG.info(msg, entries(f));
            }

            public void begin(String id) {
                MDC.put("requestId", id);
            }

            public void end() {
                MDC.clear();
            }

            public void info(String msg, Map<String, Object> f) {
                if (Integer.valueOf(404).equals(f.get("status"))) {
                    LOG.warn("order not found", entries(f));
                }
                LOG.info(msg, entries(f));
            }

            public void error(String msg, Throwable t, Map<String, Object> f) {
                LOG.error(msg, entries(f), t);
            }
        });
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
