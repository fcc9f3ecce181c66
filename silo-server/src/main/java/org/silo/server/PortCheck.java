package org.silo.server;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.silo.server.config.SiloConfig;

/**
 * Binds every configured port for a moment before the server creates anything, so that a port in use is
 * named with its protocol and its setting ("port 7400/udp is in use; change wire.port") rather than met
 * as a bare bind error after the catalog was made. Port 0 (any free port) needs no check.
 */
final class PortCheck {
    private PortCheck() {}

    static void check(SiloConfig config) throws StartRefused {
        InetAddress listen = config.listen();
        for (Map.Entry<String, List<String>> e : SiloConfig.PORTS.entrySet()) {
            int port = config.port(e.getKey());
            if (port == 0) {
                continue;
            }
            for (String protocol : e.getValue()) {
                try {
                    bind(protocol, new InetSocketAddress(listen, port));
                } catch (IOException ex) {
                    String why = ex instanceof BindException
                                    && String.valueOf(ex.getMessage()).contains("in use")
                            ? "is in use"
                            : "cannot be bound on " + listen.getHostAddress() + " (" + ex.getMessage() + ")";
                    throw new StartRefused("port " + port + "/" + protocol + " " + why + "; change " + e.getKey());
                }
            }
        }
    }

    private static void bind(String protocol, InetSocketAddress at) throws IOException {
        if (protocol.equals("udp")) {
            new DatagramSocket(at).close();
        } else {
            try (ServerSocket s = new ServerSocket()) {
                // as the server's own sockets: the connections of a server just stopped (TIME_WAIT) do not hold the
                // port
                s.setReuseAddress(true);
                s.bind(at);
            }
        }
    }
}
