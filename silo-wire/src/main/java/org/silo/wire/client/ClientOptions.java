package org.silo.wire.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.silo.wire.WireConstants;

/**
 * How a client reaches and waits for a server.
 *
 * @param server      the server's address
 * @param serverName  the name the user called it by (sent in SNAME, and used in messages)
 * @param retries     retransmissions allowed per call before TIMEDOUT (a WAIT restores them; once they are
 *                    spent, the call still waits until the server has been silent on it for 5 s)
 * @param deadline    the most one call may take, retries and waits included
 * @param window      calls in flight at once; more wait in the client
 * @param maxDatagram largest datagram sent; larger requests go over TCP
 * @param listener    told when an answer is slow
 */
public record ClientOptions(
        InetSocketAddress server,
        String serverName,
        int retries,
        Duration deadline,
        int window,
        int maxDatagram,
        ClientListener listener) {

    public static final int DEFAULT_RETRIES = 5;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    public static final int DEFAULT_WINDOW = 64;

    public ClientOptions {
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
                server,
                server.getHostString() + ":" + server.getPort(),
                DEFAULT_RETRIES,
                DEFAULT_DEADLINE,
                DEFAULT_WINDOW,
                WireConstants.DEFAULT_MAX_DATAGRAM,
                ClientListener.NONE);
    }

    /** Parses HOST:PORT, [V6]:PORT or HOST (port 7400). */
    public static ClientOptions to(String hostPort) {
        return to(parseAddress(hostPort, WireConstants.DEFAULT_PORT)).withName(hostPort);
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

    public ClientOptions withName(String name) {
        return new ClientOptions(server, name, retries, deadline, window, maxDatagram, listener);
    }

    public ClientOptions withRetries(int n) {
        return new ClientOptions(server, serverName, n, deadline, window, maxDatagram, listener);
    }

    public ClientOptions withDeadline(Duration d) {
        return new ClientOptions(server, serverName, retries, d, window, maxDatagram, listener);
    }

    public ClientOptions withWindow(int w) {
        return new ClientOptions(server, serverName, retries, deadline, w, maxDatagram, listener);
    }

    public ClientOptions withMaxDatagram(int n) {
        return new ClientOptions(server, serverName, retries, deadline, window, n, listener);
    }

    public ClientOptions withListener(ClientListener l) {
        return new ClientOptions(server, serverName, retries, deadline, window, maxDatagram, l);
    }
}
