package org.silo.control.web;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The console's own meters, appended to the server's at /metrics in the same Prometheus text format
 * (0.0.4): answers by status class, logins by result, and the sessions, event listeners and
 * connections open now.
 */
final class ConsoleCounters {
    /** Index 0 counts 1xx answers, 4 counts 5xx. */
    private final LongAdder[] responses = new LongAdder[5];

    private final LongAdder loginsAccepted = new LongAdder();
    private final LongAdder loginsRefused = new LongAdder();
    private final IntSupplier sessions;
    private final IntSupplier listeners;
    private final IntSupplier connections;

    ConsoleCounters(IntSupplier sessions, IntSupplier listeners, IntSupplier connections) {
        this.sessions = sessions;
        this.listeners = listeners;
        this.connections = connections;
        for (int i = 0; i < responses.length; i++) {
            responses[i] = new LongAdder();
        }
    }

    void response(int status) {
        int index = status / 100 - 1;
        if (index >= 0 && index < responses.length) {
            responses[index].increment();
        }
    }

    void login(boolean accepted) {
        (accepted ? loginsAccepted : loginsRefused).increment();
    }

    String prometheus() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP silo_console_responses_total HTTP answers of the web console by status class\n");
        b.append("# TYPE silo_console_responses_total counter\n");
        for (int i = 0; i < responses.length; i++) {
            b.append("silo_console_responses_total{status=\"")
                    .append(i + 1)
                    .append("xx\"} ")
                    .append(responses[i].sum())
                    .append('\n');
        }
        b.append("# HELP silo_console_logins_total web console logins by result\n");
        b.append("# TYPE silo_console_logins_total counter\n");
        b.append("silo_console_logins_total{result=\"accepted\"} ")
                .append(loginsAccepted.sum())
                .append('\n');
        b.append("silo_console_logins_total{result=\"refused\"} ")
                .append(loginsRefused.sum())
                .append('\n');
        gauge(b, "silo_console_sessions", "web console logins in force", sessions.getAsInt());
        gauge(b, "silo_console_event_listeners", "open /api/events streams", listeners.getAsInt());
        gauge(b, "silo_console_connections", "open HTTP connections to the web console", connections.getAsInt());
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, int value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(' ').append(value).append('\n');
    }
}
