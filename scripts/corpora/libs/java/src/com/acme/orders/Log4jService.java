package com.acme.orders;

import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.message.ObjectMessage;

/**
 * The orders service on Log4j 2; the layout comes from the configuration
 * file named by -Dlog4j.configurationFile (JsonLayout or GelfLayout). The
 * request id is in the ThreadContext (MDC); errors go through
 * logger.error(message, throwable).
 */
public final class Log4jService {
    private static final Logger LOG = LogManager.getLogger(Log4jService.class);

    private Log4jService() {}

    private static String line(String msg, Map<String, Object> f) {
        StringBuilder b = new StringBuilder(msg);
        f.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        Shop.run(args[0], new Shop.Log() {
            public void startup(String msg, Map<String, Object> f) {
                LOG.info(line(msg, f));
            }

            public void begin(String id) {
                ThreadContext.put("requestId", id);
            }

            public void end() {
                ThreadContext.clearMap();
            }

            public void info(String msg, Map<String, Object> f) {
                f.forEach((k, v) -> ThreadContext.put(k, String.valueOf(v)));
                LOG.info(msg);
                f.keySet().forEach(ThreadContext::remove);
            }

            public void error(String msg, Throwable t, Map<String, Object> f) {
                LOG.error(msg, t);
            }
        });
        LogManager.shutdown();
    }
}
