package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * A mover's data connections to its clients: the mover connects to the callback (HOST:PORT) the client
 * gave in write_to_hsm or read_from_hsm, and keeps each connection while it is open, so that all of them
 * are cut at once when the mover is killed or when mover_progress answers cancel. The layout of what
 * goes over a connection is {@link org.silo.archive.transfer.DataChannel}'s.
 */
final class DataConnections {
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final BooleanSupplier killed;

    /** @param killed whether the mover was killed: it then connects to no one */
    DataConnections(BooleanSupplier killed) {
        this.killed = killed;
    }

    /** Connects to a client's callback (10 s to connect; reads time out after 2 minutes of silence). */
    Socket connect(String callback) throws IOException {
        int colon = callback.lastIndexOf(':');
        String host = callback.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Socket s = new Socket();
        sockets.add(s);
        if (killed.getAsBoolean()) {
            close(s);
            throw new IOException("mover killed");
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, Integer.parseInt(callback.substring(colon + 1))), 10_000);
        s.setSoTimeout(120_000);
        return s;
    }

    void close(Socket s) {
        if (s != null) {
            sockets.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Cuts every open connection (the mover was killed, or its job cancelled). */
    void closeAll() {
        sockets.forEach(this::close);
    }

    /** The client side of a data connection, remembering whether it failed (a network fault, not the volume's). */
    static final class NetIn extends java.io.FilterInputStream {
        volatile boolean failed;

        NetIn(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int r = super.read();
                if (r < 0) {
                    failed = true;
                }
                return r;
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int r = super.read(b, off, len);
                if (r < 0) {
                    failed = true;
                }
                return r;
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }
}
