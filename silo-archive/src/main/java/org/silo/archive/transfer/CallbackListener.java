package org.silo.archive.transfer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.transfer.DataChannel.Hello;
import org.silo.wire.ErrorCode;
import org.silo.wire.IoThreads;
import org.silo.wire.SiloException;

/**
 * Where movers connect to a {@link TransferClient} (Enstore's encp callback): one listening socket, and a
 * one-time token per call to the library manager, awaited by the transfer that made it. A read_files
 * call may make several requests (one per volume) under one token: each request's mover is awaited on
 * its own. A mover that names a token no transfer waits for, or a request of it already served, is
 * refused (and reports the client as no longer waiting).
 *
 * <pre>{@code
 * CallbackListener.Expected e = listener.expect();
 * FilesQueued q = lm.writeFiles(new WriteFiles(..., listener.callback(), e.token(), ...));
 * try (CallbackListener.Conn c = listener.await(e, q.jobs().get(0).id(), wait, lm, note -> {})) { ... }
 * }</pre>
 */
final class CallbackListener implements AutoCloseable {
    /** A mover's accepted data connection. */
    record Conn(Socket socket, Hello hello, DataInputStream in, DataOutputStream out) implements AutoCloseable {
        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // done with it
            }
        }
    }

    private final ServerSocket listener;
    private final String callback;
    private final Map<String, Expected> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Thread acceptor;
    private volatile boolean closed;

    /** Listens on loopback, or on every address when movers are told {@code callbackHost}. */
    CallbackListener(String callbackHost) throws IOException {
        String host = callbackHost == null ? InetAddress.getLoopbackAddress().getHostAddress() : callbackHost;
        this.listener = new ServerSocket();
        listener.setReceiveBufferSize(DataChannel.BUFFER);
        listener.bind(
                new InetSocketAddress(
                        callbackHost == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName("0.0.0.0"), 0),
                256);
        this.callback = (host.contains(":") ? "[" + host + "]" : host) + ":" + listener.getLocalPort();
        this.acceptor = IoThreads.start("transfer-accept", this::accept);
    }

    /** Where movers connect: HOST:PORT. */
    String callback() {
        return callback;
    }

    /** A token a transfer waits for, and for each of its requests the connection that brings it. */
    static final class Expected {
        private final String token;
        private final Map<Long, CompletableFuture<Conn>> connections = new ConcurrentHashMap<>();
        /** A request's next mover, come while the transfer still held its last one's connection ({@link #handshake}). */
        private final Map<Long, CompletableFuture<Conn>> successors = new ConcurrentHashMap<>();

        Expected(String token) {
            this.token = token;
        }

        String token() {
            return token;
        }

        CompletableFuture<Conn> connection(long request) {
            return connections.computeIfAbsent(request, r -> new CompletableFuture<>());
        }

        /**
         * The request may be served once more (its connection broke, and the server restarted or gave the
         * request to another mover); a mover that came already is the one awaited.
         */
        Expected again(long request) {
            CompletableFuture<Conn> next = successors.remove(request);
            connections.put(request, next != null ? next : new CompletableFuture<>());
            return this;
        }
    }

    /** A new token, awaited from now on. */
    Expected expect() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        Expected e = new Expected(HexFormat.of().formatHex(b));
        pending.put(e.token(), e);
        return e;
    }

    /** No transfer waits for the token any more: a mover that names it is refused. */
    void forget(Expected e) {
        pending.remove(e.token(), e);
        for (CompletableFuture<Conn> f : java.util.stream.Stream.concat(
                        e.connections.values().stream(), e.successors.values().stream())
                .toList()) {
            if (!f.cancel(true)) {
                Conn late = f.getNow(null); // a mover came just as the transfer gave up: send it away
                if (late != null) {
                    late.close();
                }
            }
        }
    }

    /**
     * Waits for the mover of request {@code job} to connect with {@code token}, asking after the request
     * every second: a request that failed or was cancelled meanwhile ends the wait with its error. What
     * the request waits for, when the library manager says (a {@code queued: } or {@code requeued: }
     * reason), goes to {@code notes}, once per reason.
     */
    Conn await(Expected e, long job, Duration wait, LibraryClient lm, Consumer<String> notes)
            throws SiloException, TimeoutException {
        CompletableFuture<Conn> f = e.connection(job);
        long deadline = System.nanoTime() + wait.toNanos();
        String said = null;
        while (true) {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException t) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no mover took job " + job + " within " + wait);
                }
            } catch (InterruptedException i) {
                Thread.currentThread().interrupt();
                throw SiloException.of(ErrorCode.INTERNAL, "interrupted");
            } catch (CancellationException c) {
                throw SiloException.of(ErrorCode.IO, "the transfer client closed");
            } catch (ExecutionException x) {
                throw SiloException.of(ErrorCode.INTERNAL, x.getCause().toString());
            }
            JobInfo j = lm.info(job);
            if (j.state().equals("failed") || j.state().equals("cancelled")) {
                throw SiloException.of(ErrorCode.IO, "job " + job + " " + j.state() + ": " + j.error());
            }
            String why = j.error();
            if (j.state().equals("queued")
                    && why != null
                    && !why.equals(said)
                    && (why.startsWith(LibraryMessages.QUEUED) || why.startsWith(LibraryMessages.REQUEUED))) {
                said = why;
                notes.accept(j.path() + " " + why);
            }
        }
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            IoThreads.start("transfer-handshake", () -> handshake(s));
        }
    }

    private void handshake(Socket s) {
        try {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), DataChannel.BUFFER));
            DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), DataChannel.BUFFER));
            Hello h = DataChannel.readHello(in);
            Expected e = pending.get(h.token());
            CompletableFuture<Conn> f = e == null ? null : e.connection(h.request());
            Conn served = f == null || !f.isDone() || f.isCompletedExceptionally() ? null : f.getNow(null);
            if (served != null && !served.hello().mover().equals(h.mover())) {
                // another mover with the request's token: the library manager took the request from the mover
                // still connected (it hung) and gave it to this one. The stale connection is cut, so that the
                // transfer finds the request handed on and takes this one (Expected.again) without waiting for
                // the stuck mover to notice.
                CompletableFuture<Conn> next = new CompletableFuture<>();
                if (e.successors.putIfAbsent(h.request(), next) == null) {
                    out.writeByte(DataChannel.OK);
                    out.flush();
                    s.setSoTimeout(120_000);
                    next.complete(new Conn(s, h, in, out));
                    served.close();
                    return;
                }
            }
            if (f == null || f.isDone()) {
                DataChannel.writeError(out, "no transfer waits for this token (already served, or given up)");
                s.close();
                return;
            }
            out.writeByte(DataChannel.OK);
            out.flush();
            s.setSoTimeout(120_000);
            f.complete(new Conn(s, h, in, out));
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // a stray connection
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        pending.values().forEach(e -> e.connections.values().forEach(f -> f.cancel(true)));
        acceptor.interrupt();
    }
}
