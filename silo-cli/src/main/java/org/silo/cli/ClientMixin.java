package org.silo.cli;

import java.time.Duration;
import org.silo.server.config.Durations;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientListener;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Option;

/** The options every client command shares: where the server is and how long to wait for it. */
final class ClientMixin {
    static final String DEFAULT_SERVER = "localhost:7400";

    @Option(
            names = "--server",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = ServerList.class,
            description = "Default: $SILO_SERVER, then " + DEFAULT_SERVER + ". A list (db1:7400,db2:7400) is"
                    + " tried in order: when one server stops answering, the command moves to the next one,"
                    + " repeats its calls there and says so.")
    String server;

    /** Refuses a bad address or list on the command line, as a usage mistake. */
    static final class ServerList implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                ClientOptions.to(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "Give up on a call after this long, retries included. Default: 30s, and"
                    + " a day for disk snapshot, restore and rm-snapshot.")
    String timeout;

    /** The deadline of a call when --timeout is not given. */
    private Duration defaultDeadline = Duration.ofSeconds(30);

    @Option(
            names = "--retries",
            paramLabel = "N",
            defaultValue = "5",
            description = "Retransmissions per call (default: ${DEFAULT-VALUE}).")
    int retries;

    String serverAddress() {
        if (server != null && !server.isBlank()) {
            return server;
        }
        String env = System.getenv("SILO_SERVER");
        return env != null && !env.isBlank() ? env : DEFAULT_SERVER;
    }

    private ClientOptions servers() {
        try {
            return ClientOptions.to(serverAddress());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(server == null ? "$SILO_SERVER: " + e.getMessage() : e.getMessage(), e);
        }
    }

    ClientOptions options() {
        Duration deadline = timeout == null ? defaultDeadline : Durations.parse(timeout);
        return servers().withDeadline(deadline).withRetries(retries).withListener(new ClientListener() {
            @Override
            public void waiting(String name, long waitedMillis, int retransmissions) {
                System.err.printf(
                        "silo: no answer from %s for %.1f s (%d retransmission%s); still trying%n",
                        name, waitedMillis / 1000.0, retransmissions, retransmissions == 1 ? "" : "s");
            }

            @Override
            public void moved(String from, String to) {
                System.err.printf("silo: no answer from %s; moved to %s%n", from, to);
            }

            @Override
            public void working(String name, long waitedMillis) {
                System.err.printf("silo: %s is working on it (%.0f s so far); waiting%n", name, waitedMillis / 1000.0);
            }
        });
    }

    /**
     * Connects, and logs in with the login saved for this server by 'silo login', if any: for a list, the
     * login saved for the whole list, else the first saved for one of its servers (docs/cli.md).
     */
    /**
     * As {@link #connect()}, for a call that waits for long work on the server (a snapshot): without
     * --timeout its deadline is a day. A server that stops answering is still given up after the retries.
     */
    SiloClient connectForLongWork() throws SiloException {
        defaultDeadline = Duration.ofHours(24);
        return connect();
    }

    SiloClient connect() throws SiloException {
        SiloClient c = SiloClient.connect(options());
        java.util.Optional<Logins.Saved> saved;
        try {
            saved = Logins.forServer(serverAddress());
        } catch (java.io.IOException e) {
            System.err.println("silo: cannot read saved logins (" + e.getMessage() + "); going on anonymously");
            return c;
        }
        if (saved.isPresent()) {
            try {
                c.login(saved.get().list(), saved.get().keys());
            } catch (SiloException e) {
                System.err.printf(
                        "silo: the saved login '%s' for %s no longer works (%s); going on anonymously."
                                + " Log in again with: silo login %s%n",
                        saved.get().list(),
                        serverAddress(),
                        e.getMessage(),
                        saved.get().list());
            }
        }
        return c;
    }
}
