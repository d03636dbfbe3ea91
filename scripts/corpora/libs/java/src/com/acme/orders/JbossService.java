package com.acme.orders;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.logmanager.MDC;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * The orders service on JBoss Log Manager (WildFly's logging) with its
 * JsonFormatter, through the java.util.logging API; the request id is in
 * the MDC, errors go through Logger.log(SEVERE, message, throwable).
 * Run with -Djava.util.logging.manager=org.jboss.logmanager.LogManager.
 */
public final class JbossService {
    private static final Logger LOG = Logger.getLogger("com.acme.orders.http");

    private JbossService() {}

    public static void main(String[] args) throws Exception {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        JsonFormatter fmt = new JsonFormatter();
        fmt.setPrintDetails(false);
        ConsoleHandler out = new ConsoleHandler(ConsoleHandler.Target.SYSTEM_OUT, fmt);
        root.addHandler(out);
        root.setLevel(Level.INFO);
        Shop.run(args[0], new Shop.Log() {
            public void startup(String msg, Map<String, Object> f) {
                LOG.info(msg + " " + f);
            }

            public void begin(String id) {
                MDC.put("requestId", id);
            }

            public void end() {
                MDC.clear();
            }

            public void info(String msg, Map<String, Object> f) {
                f.forEach((k, v) -> MDC.put(k, String.valueOf(v)));
                LOG.info(msg);
                f.keySet().forEach(MDC::remove);
            }

            public void error(String msg, Throwable t, Map<String, Object> f) {
                LOG.log(Level.SEVERE, msg, t);
            }
        });
        out.flush();
    }
}
