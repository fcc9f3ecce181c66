package org.silo.wire.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.silo.wire.ErrorCode;
import org.silo.wire.SessionGoneException;
import org.silo.wire.SiloException;
import org.silo.wire.WireConstants;
import org.silo.wire.auth.Scram;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Operation;
import org.silo.wire.op.SessionOps;
import org.silo.wire.op.SessionOps.StartReply;
import org.silo.wire.op.SessionOps.StartRequest;
import org.silo.wire.transport.Transports;

/**
 * A client of the Silo message layer: a session with one server, calls over UDP with retransmission,
 * and TCP for what does not fit a datagram. Safe to use from many threads; many calls may be in flight.
 * A call answered DISOLVE (the server restarted, or forgot the session) starts a new session, logged in as
 * the old one was, and is sent again in it ({@link #sessionId()} then changes). Given several servers
 * ({@code ClientOptions.to("db1:7400,db2:7400")}), a call that the server stops answering moves the client
 * to the next one: a new session there, and the call sent again with the same request id (docs/protocol.md
 * §7, "Several servers"). Every session the client starts carries its {@link #clientId()}.
 *
 * <pre>{@code
 * try (SiloClient client = SiloClient.connect(ClientOptions.to("localhost:7400"))) {
 *     byte[] echo = client.call(CoreOps.PING, "hello".getBytes());
 *     List<Result> both = client.compound().add(OPEN, name).add(READ, req).send().results();
 * }
 * }</pre>
 */
public final class SiloClient implements AutoCloseable {
    private final ClientOptions options;
    private final EventLoopGroup group;
    private final Channel udp;
    private final CallEngine engine;
    private final TcpLink tcp;
    private volatile long session;
    private volatile long idleTimeoutMillis;
    /** Set by close: a DISOLVE then ends the call instead of starting a new session. */
    private volatile boolean closing;
    /** This incarnation's id, sent in every START (docs/protocol.md §4, "Client id"). */
    private final long clientId;
    /** Which of {@code options.servers()} the client talks to. */
    private volatile int serverIndex;
    /** The session's login, repeated in each new session. */
    private final SessionLogin login = new SessionLogin(this);

    /** Set on the thread that starts a new session after DISOLVE. */
    private static final ThreadLocal<Boolean> RENEWING = ThreadLocal.withInitial(() -> false);

    private SiloClient(ClientOptions options) throws SiloException {
        this.options = options;
        long id;
        do {
            id = new java.security.SecureRandom().nextLong();
        } while (id == 0);
        this.clientId = id;
        this.group = Transports.group(1, "silo-client");
        try {
            this.udp = new Bootstrap()
                    .group(group)
                    .channel(Transports.datagram())
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(WireConstants.MAX_DATAGRAM))
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            if (engine != null
                                    && p.sender().equals(engine.target().address())) {
                                deliver(p.content(), false);
                            }
                        }
                    })
                    .bind(0)
                    .sync()
                    .channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw SiloException.of(ErrorCode.IO, "cannot open a UDP socket: " + e.getMessage());
        }
        this.tcp = new TcpLink(
                group, options.deadline(), this::targetAddress, record -> deliver(record, true), this::tcpLost);
        this.engine = new CallEngine(udp.eventLoop(), udp, tcp::channel, options);
    }

    /**
     * Opens a session with the server: START (with the address cookie), then SNAME. Given several servers,
     * with the first that answers.
     */
    public static SiloClient connect(ClientOptions options) throws SiloException {
        SiloClient c = new SiloClient(options);
        try {
            c.startFirst();
            c.scheduleKeepalive();
            return c;
        } catch (SiloException | RuntimeException e) {
            c.shutdown();
            throw e;
        }
    }

    private java.net.InetSocketAddress targetAddress() {
        return engine.target().address();
    }

    private void tcpLost(Channel ch) {
        udp.eventLoop().execute(() -> engine.tcpLost(ch));
    }

    private void deliver(ByteBuf content, boolean viaTcp) {
        try {
            Frame f = FrameCodec.decode(content.nioBuffer());
            if (f.isReply()) {
                engine.received(f, viaTcp);
            }
        } catch (FrameCodec.FrameException e) {
            // corrupted or foreign: dropped, as the server drops them
        }
    }

    private synchronized void startFirst() throws SiloException {
        List<ClientOptions.Server> all = options.servers();
        for (int i = 0; ; i++) {
            try {
                startSession();
                if (i > 0) {
                    options.listener().moved(all.get(i - 1).name(), all.get(i).name());
                }
                return;
            } catch (SiloException e) {
                if (i + 1 >= all.size() || !(e.code() == ErrorCode.TIMEDOUT || e.code() == ErrorCode.IO)) {
                    throw e;
                }
                moveTo(i + 1);
            }
        }
    }

    private void moveTo(int index) {
        serverIndex = index;
        engine.moveTo(options.servers().get(index));
        tcp.letGo(); // the old server's connection: its calls time out or see it close
    }

    /**
     * After a call sent to server {@code from} went unanswered: a session with the next server of the list
     * that answers, logged in as the old one was. Calls that found the same server silent share it.
     */
    private synchronized long failover(int from) throws SiloException {
        if (serverIndex != from) {
            return session; // another call has moved the client already
        }
        List<ClientOptions.Server> all = options.servers();
        SiloException last = null;
        for (int step = 1; step < all.size(); step++) {
            int next = (from + step) % all.size();
            moveTo(next);
            try {
                startAgain();
                options.listener().moved(all.get(from).name(), all.get(next).name());
                return session;
            } catch (SiloException e) {
                last = e;
            }
        }
        throw last;
    }

    private synchronized void startSession() throws SiloException {
        byte[] cookie = new byte[0];
        for (int round = 0; round < 3; round++) {
            WireWriter w = new WireWriter(WireConstants.START_PADDED_SIZE);
            SessionOps.START_REQUEST.encode(new StartRequest(cookie, clientId), w);
            // RFC 9000 §8: pad so that the server may answer an unproven address at all
            int frameSoFar = WireConstants.MIN_FRAME + 1 + 2 + 2 + w.size();
            w.bytes(new byte[Math.max(0, WireConstants.START_PADDED_SIZE - frameSoFar)]);
            Envelope env = Envelope.of(new OperationData(SessionOps.START, w.toByteArray()));
            Reply r = await(send(0, env, false));
            StartReply reply = decode(SessionOps.START_OP, r.results());
            switch (reply) {
                case StartReply.Cookie c -> cookie = c.cookie();
                case StartReply.Session s -> {
                    session = s.sessionId();
                    idleTimeoutMillis = s.idleTimeoutMillis();
                    decode(
                            SessionOps.SNAME_OP,
                            await(sendOnce(
                                            session,
                                            compound()
                                                    .add(
                                                            SessionOps.SNAME_OP,
                                                            engine.target().name())
                                                    .envelope(),
                                            false))
                                    .results());
                    return;
                }
            }
        }
        throw SiloException.of(ErrorCode.BAD_COOKIE, engine.target().name() + " did not accept its own cookie");
    }

    /**
     * After DISOLVE for session {@code lost} (the server restarted, or ended the session after a silence
     * longer than its idle timeout): a new session, logged in again as the old one was. Calls that met the
     * same DISOLVE meanwhile find the new session made and use it.
     */
    private synchronized long renew(long lost) throws SiloException {
        if (session != lost) {
            return session;
        }
        startAgain();
        return session;
    }

    /** A new session with the current server, logged in again as the old one was. */
    private synchronized void startAgain() throws SiloException {
        engine.clearKey(); // the new session starts unsigned; a login gives it its own key
        login.forget();
        startSession();
        login.again();
    }

    /**
     * NIL once the client has sent nothing for a third of the server's idle time (docs/protocol.md §4).
     * Looked at four times as often, so the gap is at most 5/12 of the idle time: checking only once
     * a third let a send just after one check wait two thirds, and a busy machine the rest.
     */
    private void scheduleKeepalive() {
        long period = Math.max(1000, idleTimeoutMillis / 3);
        long check = period / 4;
        udp.eventLoop()
                .scheduleAtFixedRate(
                        () -> {
                            if (engine.nanosSinceLastSend() >= TimeUnit.MILLISECONDS.toNanos(period)) {
                                sendOnce(session, Envelope.of(new OperationData(SessionOps.NIL, new byte[0])), false);
                            }
                        },
                        check,
                        check,
                        TimeUnit.MILLISECONDS);
    }

    /**
     * Goes back to the default access (seed 002's LOGIN naming no list): the session keeps going with the
     * rights of an anonymous session from this address, and is not logged in again after a restart.
     * Returns those rights.
     */
    public String logout() throws SiloException {
        return login.logout();
    }

    /**
     * Logs in to an access list with its password (seed 002's LOGIN and PASSWD, SCRAM-SHA-256): the
     * password never leaves this process. Returns the keys to save for logging in again without it,
     * or null when the list is not protected.
     */
    public Scram.Keys login(String list, char[] password) throws SiloException {
        return login.login(list, password);
    }

    /** Logs in with keys saved from an earlier {@link #login(String, char[])}. */
    public void login(String list, Scram.Keys keys) throws SiloException {
        login.login(list, keys);
    }

    /**
     * The first half of a password login whose second half, PASSWD with the proof, is sent in one message
     * with other operations that then run with the rights it grants (seed 003's authenticate inside a
     * compound; docs/files.md). Sends LOGIN now.
     *
     * <pre>{@code
     * LoginStep step = client.beginLogin("alice", password);
     * Reply r = step.compound().add(FilesOps.OPEN, open).add(FilesOps.READ_OP, read).send();
     * step.finish(r); // checks the server's proof; PERMISSION if the login was refused
     * }</pre>
     */
    public LoginStep beginLogin(String list, char[] password) throws SiloException {
        return login.begin(list, password);
    }

    /** A login's second half is done ({@link LoginStep#finish}): these rights, and a new session logs in again so. */
    void loggedIn(String list, Scram.Keys keys, String granted) {
        login.loggedIn(list, keys, granted);
    }

    /** The answer to the next message is tagged with this session key, which is then taken. */
    void expectKey(byte[] key) {
        engine.expectKey(key);
    }

    /** The rights the session holds, as the server described them at login ("" before any login). */
    public String rights() {
        return login.rights();
    }

    public ClientOptions options() {
        return options;
    }

    public ClientStats stats() {
        return engine.stats;
    }

    public long sessionId() {
        return session;
    }

    /** This client incarnation's id, the same in its sessions on every server (docs/protocol.md §4). */
    public long clientId() {
        return clientId;
    }

    /** The server the client talks to now. */
    public ClientOptions.Server server() {
        return engine.target();
    }

    /** Runs one operation and returns its reply, or throws the server's error. */
    public <Q, R> R call(Operation<Q, R> op, Q request) throws SiloException {
        return await(callAsync(op, request));
    }

    public <Q, R> CompletableFuture<R> callAsync(Operation<Q, R> op, Q request) {
        return send(compound().add(op, request).envelope(), false).thenApply(r -> {
            try {
                return decode(op, r.results());
            } catch (SiloException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Several operations in one message, answered in order in one reply. */
    public Compound compound() {
        return new Compound(this);
    }

    /** Sends a whole envelope in this session; over TCP when asked or when it is too big for a datagram. */
    public CompletableFuture<Reply> send(Envelope env, boolean overTcp) {
        return send(session, env, overTcp);
    }

    /**
     * Sends in a session. A DISOLVE (the server does not know the session: it restarted, or ended it after
     * a long silence, or it is the server the client moved to and the call was in flight to the old one)
     * means that server did not run the message in that session; a new session is started and the message
     * sent again in it, once, with the same request id: the session it was sent in may have run it (the
     * old server, or this one before its restart), and only the same id finds the archive's record of it.
     * A message that went unanswered (the timeout of docs/protocol.md §7) moves a client with several
     * servers to the next one, where it is sent again with the same request id; it tries each server once.
     * (A message the old server ran but whose answer was lost runs again only if it is not recorded there:
     * the archive records its mutating calls by client id and request id, and write_to_hsm's token and
     * new_bit_file's client request make a repeat harmless too.)
     */
    private CompletableFuture<Reply> send(long sessionId, Envelope env, boolean overTcp) {
        return send(sessionId, env, overTcp, new CallEngine.Ticket(true), 0, false);
    }

    private CompletableFuture<Reply> send(
            long sessionId, Envelope env, boolean overTcp, CallEngine.Ticket ticket, int moves, boolean renewedOnce) {
        int sentTo = serverIndex;
        CompletableFuture<Reply> first = sendOnce(sessionId, env, overTcp, ticket);
        if (sessionId == 0 || RENEWING.get()) { // the new session's own calls (SNAME, login) start no other
            return first.whenComplete((r, e) -> forgetIfHeld(ticket));
        }
        return first.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            boolean mayMove = ticket.unanswered && moves + 1 < options.servers().size();
            boolean mayRenew = cause instanceof SessionGoneException && !renewedOnce;
            if (closing || !(mayRenew || mayMove)) {
                forgetIfHeld(ticket);
                return CompletableFuture.failedFuture(cause);
            }
            CompletableFuture<Long> renewed = new CompletableFuture<>();
            Thread.ofVirtual()
                    .name("silo-client-new-session")
                    .start(
                            () -> { // never block the event loop
                                long id;
                                RENEWING.set(true);
                                try {
                                    id = mayMove ? failover(sentTo) : renew(sessionId);
                                } catch (SiloException | RuntimeException x) {
                                    renewed.completeExceptionally(x);
                                    return;
                                } finally {
                                    // before complete, which runs the call's resend on this thread: the
                                    // resend is a call like any other (it may move, or meet DISOLVE), not
                                    // one of the new session's own
                                    RENEWING.set(false);
                                }
                                renewed.complete(id);
                            });
            return renewed.handle((id, x) -> {
                        if (x != null) { // no other server answered (the call's own failure says what
                            // happened), or no new session could be started (its failure does)
                            forgetIfHeld(ticket);
                            return CompletableFuture.<Reply>failedFuture(mayMove ? cause : x);
                        }
                        // the same ticket: the same request id (issue 17: a new id made a mkdir that the
                        // first session had run fail "exists" where the record would have answered it)
                        return mayMove
                                ? send(id, env, overTcp, ticket, moves + 1, renewedOnce)
                                : send(id, env, overTcp, ticket, moves, true);
                    })
                    .thenCompose(f -> f);
        });
    }

    private void forgetIfHeld(CallEngine.Ticket ticket) {
        if (ticket.held) {
            engine.forget(ticket);
        }
    }

    private CompletableFuture<Reply> sendOnce(long sessionId, Envelope env, boolean overTcp) {
        return sendOnce(sessionId, env, overTcp, new CallEngine.Ticket());
    }

    private CompletableFuture<Reply> sendOnce(long sessionId, Envelope env, boolean overTcp, CallEngine.Ticket ticket) {
        return engine.submit(sessionId, env.encode(), overTcp, ticket).thenApply(a -> {
            Frame f = a.frame();
            try {
                return new Reply(results(Envelope.decode(f.body())), a.transmissions(), a.elapsedNanos(), a.overTcp());
            } catch (SiloException e) {
                throw new CompletionException(e);
            }
        });
    }

    private static List<Result> results(Envelope env) throws SiloException {
        List<Result> out = new ArrayList<>(env.operations().size());
        for (OperationData op : env.operations()) {
            out.add(Result.decode(op));
        }
        return out;
    }

    /** The reply of {@code op} as the first result, or its failure as an exception. */
    public static <Q, R> R decode(Operation<Q, R> op, List<Result> results) throws SiloException {
        if (results.isEmpty()) {
            throw SiloException.malformed("empty reply to " + op.name());
        }
        return switch (results.get(0)) {
            case Result.Failure f -> throw f.toException();
            case Result.Success s -> op.reply().decode(new WireReader(s.data()));
        };
    }

    /** Waits for a future; a failure comes out as the SiloException it carries. */
    public static <T> T await(CompletableFuture<T> f) throws SiloException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SiloException.of(ErrorCode.IO, "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                    ? ce.getCause()
                    : e.getCause();
            if (cause instanceof SiloException se) {
                throw SiloException.of(se.code(), se.getMessage(), se);
            }
            throw SiloException.of(ErrorCode.INTERNAL, String.valueOf(cause), cause);
        }
    }

    /** Ends the session (END, briefly waited for) and releases the sockets. */
    @Override
    public void close() {
        close(Duration.ofMillis(Math.min(1000, options.deadline().toMillis())));
    }

    /**
     * Ends the session, waiting up to {@code endWait} for the server to answer END (by then the server has
     * let go of the session's work, e.g. cancelled its queued transfers), and releases the sockets.
     */
    public void close(Duration endWait) {
        closing = true;
        if (session != 0) {
            try {
                sendOnce(session, Envelope.of(new OperationData(SessionOps.END, new byte[0])), false)
                        .get(endWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                // the server forgets idle sessions anyway
            }
            session = 0;
        }
        shutdown();
    }

    /**
     * Releases the sockets without ending the session, as a client that crashes or is cut off does: the
     * server finds out only when the session expires ({@code wire.session-idle}). For tests of what a
     * server does with a vanished client's state.
     */
    public void abandon() {
        closing = true;
        session = 0;
        shutdown();
    }

    private void shutdown() {
        engine.closeAll();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
