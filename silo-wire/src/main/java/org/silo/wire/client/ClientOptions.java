package org.silo.wire.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.silo.wire.WireConstants;

/**
 * How a client reaches and waits for a server, or one of several (docs/protocol.md §7, "Several servers").
 *
 * @param servers     the servers, in the order they are tried: the first is used until it stops answering,
 *                    then the next (at least one)
 * @param retries     retransmissions allowed per call before TIMEDOUT (a WAIT restores them; once they are
 *                    spent, the call still waits until the server has been silent on it for 5 s)
 * @param deadline    the most one call may take on one server, retries and waits included
 * @param window      calls in flight at once; more wait in the client
 * @param maxDatagram largest datagram sent; larger requests go over TCP
 * @param listener    told when an answer is slow, and when the client moves to another server
 */
public record ClientOptions(
        java.util.List<Server> servers,
        int retries,
        Duration deadline,
        int window,
        int maxDatagram,
        ClientListener listener) {

    /**
     * One server of the list.
     *
     * @param address its address
     * @param name    the name the user called it by (sent in SNAME, and used in messages)
     */
    public record Server(InetSocketAddress address, String name) {}

    public static final int DEFAULT_RETRIES = 5;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    public static final int DEFAULT_WINDOW = 64;

    public ClientOptions {
        servers = java.util.List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no server");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0");
        }
        if (window < 1 || window > 4096) {
            throw new IllegalArgumentException("window must be 1..4096, not " + window);
        }
        if (maxDatagram < 256 || maxDatagram > WireConstants.MAX_DATAGRAM) {
            throw new IllegalArgumentException("max datagram must be 256.." + WireConstants.MAX_DATAGRAM);
        }
    }

    public static ClientOptions to(InetSocketAddress server) {
        return new ClientOptions(
                java.util.List.of(new Server(server, server.getHostString() + ":" + server.getPort())),
                DEFAULT_RETRIES,
                DEFAULT_DEADLINE,
                DEFAULT_WINDOW,
                WireConstants.DEFAULT_MAX_DATAGRAM,
                ClientListener.NONE);
    }

    /**
     * Parses HOST:PORT, [V6]:PORT or HOST (port 7400), or a comma-separated list of them
     * ({@code db1:7400,db2:7400}); an empty entry or a bad port is refused.
     */
    public static ClientOptions to(String hostPorts) {
        String[] parts = hostPorts.split(",", -1);
        java.util.List<Server> list = new java.util.ArrayList<>();
        for (String part : parts) {
            String hp = part.strip();
            if (hp.isEmpty()) {
                throw new IllegalArgumentException(
                        "bad server list '" + hostPorts + "': an empty entry (write HOST:PORT,HOST:PORT)");
            }
            list.add(new Server(parseAddress(hp, WireConstants.DEFAULT_PORT), hp));
        }
        return to(list.get(0).address()).withServers(list);
    }

    /** The first server's address. */
    public InetSocketAddress server() {
        return servers.get(0).address();
    }

    /** The first server's name. */
    public String serverName() {
        return servers.get(0).name();
    }

    public static InetSocketAddress parseAddress(String hostPort, int defaultPort) {
        String host = hostPort;
        int port = defaultPort;
        int colon = hostPort.lastIndexOf(':');
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad address '" + hostPort + "': missing ']'");
            }
            host = hostPort.substring(1, close);
            if (close + 1 < hostPort.length()) {
                port = parsePort(hostPort, hostPort.substring(close + 2));
            }
        } else if (colon >= 0 && hostPort.indexOf(':') == colon) {
            host = hostPort.substring(0, colon);
            port = parsePort(hostPort, hostPort.substring(colon + 1));
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("bad address '" + hostPort + "': no host");
        }
        return new InetSocketAddress(host, port);
    }

    private static int parsePort(String whole, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad address '" + whole + "': port must be 1..65535");
        }
    }

    /** The first server named {@code name} (the others keep theirs). */
    public ClientOptions withName(String name) {
        java.util.List<Server> l = new java.util.ArrayList<>(servers);
        l.set(0, new Server(l.get(0).address(), name));
        return withServers(l);
    }

    public ClientOptions withServers(java.util.List<Server> l) {
        return new ClientOptions(l, retries, deadline, window, maxDatagram, listener);
    }

    public ClientOptions withRetries(int n) {
        return new ClientOptions(servers, n, deadline, window, maxDatagram, listener);
    }

    public ClientOptions withDeadline(Duration d) {
        return new ClientOptions(servers, retries, d, window, maxDatagram, listener);
    }

    public ClientOptions withWindow(int w) {
        return new ClientOptions(servers, retries, deadline, w, maxDatagram, listener);
    }

    public ClientOptions withMaxDatagram(int n) {
        return new ClientOptions(servers, retries, deadline, window, n, listener);
    }

    public ClientOptions withListener(ClientListener l) {
        return new ClientOptions(servers, retries, deadline, window, maxDatagram, l);
    }
}
