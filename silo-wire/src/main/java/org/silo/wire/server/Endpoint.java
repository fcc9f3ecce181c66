package org.silo.wire.server;

import static org.silo.wire.WireConstants.FLAG_ERROR;
import static org.silo.wire.WireConstants.FLAG_REPLY;
import static org.silo.wire.WireConstants.FLAG_WAIT;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.LoginOps;
import org.silo.wire.op.SessionOps;
import org.silo.wire.op.SessionOps.StartReply;
import org.silo.wire.op.SessionOps.StartRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the message layer, independent of the transport: sessions, the reply cache and
 * dispatch. A transport decodes a frame and calls {@link #receive}; answers go back through the
 * {@link Peer}. Quick handlers run on the caller's (I/O) thread; blocking ones on virtual threads, at
 * most {@code maxWorkers} at once, so disk and database work never stalls the receive path. A client
 * whose message is still running hears WAIT, asked ({@link #receive}) or not ({@link #remind}).
 */
public final class Endpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    private final WireServerConfig config;
    private final Dispatcher dispatcher;
    private final SessionTable sessions;
    private final ReplyCache cache;
    private final CookieMint cookies = new CookieMint(60);
    private final WireMetrics metrics;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore workerSlots;
    private final WorkInProgress running = new WorkInProgress();
    private final AddressRateLimiter unproven;
    private final long startedNanos = System.nanoTime();
    private final long epochSecondsAtStart = System.currentTimeMillis() / 1000;

    /** Request ids more than this far below the highest seen in a session are refused as replays. */
    static final long REPLAY_WINDOW = 65536;

    private final Authenticator authenticator;

    public Endpoint(WireServerConfig config, Dispatcher dispatcher, MeterRegistry registry) {
        this(config, dispatcher, registry, Authenticator.OPEN);
    }

    public Endpoint(
            WireServerConfig config, Dispatcher dispatcher, MeterRegistry registry, Authenticator authenticator) {
        this.config = config;
        this.authenticator = authenticator;
        this.dispatcher = dispatcher;
        this.sessions = new SessionTable(config.maxSessions(), config.maxSessionsPerAddress());
        this.cache = new ReplyCache(
                config.cacheEntries(),
                config.cacheBytes(),
                config.cachePerSession(),
                config.cacheRetention().toNanos());
        this.metrics = new WireMetrics(registry, cache, sessions);
        this.workerSlots = new Semaphore(config.maxWorkers());
        this.unproven = new AddressRateLimiter(config.unprovenPerSecond(), 2.0 * config.unprovenPerSecond(), 65536);
        registerSessionOperations();
    }

    private void registerSessionOperations() {
        dispatcher.register(SessionOps.SNAME_OP, (ctx, name) -> {
            ctx.session().serverName(name);
            return null;
        });
        dispatcher.register(SessionOps.NIL_OP, (ctx, v) -> null, SessionOps.NOT_KNOWN);
        // END runs on a worker: the services let the session's work go before END is answered (seed 002's
        // ACTION_NETWORK_END), so a client that saw the answer knows nothing of its session runs on
        dispatcher.registerBlocking(SessionOps.END_OP, (ctx, v) -> {
            if (ctx.session().markEnding()) {
                dispatcher.sessionEnded(ctx.session(), false);
            }
            ctx.endSessionAfterReply();
            return null;
        });
        SessionLogin login = new SessionLogin(authenticator, metrics.loginFailures);
        dispatcher.register(LoginOps.LOGIN, (ctx, req) -> login.login(ctx.session(), req));
        dispatcher.register(LoginOps.PASSWD, (ctx, req) -> login.passwd(ctx.session(), req));
    }

    public WireServerConfig config() {
        return config;
    }

    public ReplyCache replyCache() {
        return cache;
    }

    public int sessionCount() {
        return sessions.size();
    }

    /** A frame that could not be decoded: counted and dropped, never answered (it may not be ours). */
    public void refused(FrameCodec.Fault fault) {
        metrics.drop(WireMetrics.Drop.valueOf(fault.name()));
    }

    /** A TCP connection over the caps, closed at once. */
    void refusedConnection() {
        metrics.drop(WireMetrics.Drop.CONNECTION);
    }

    /** A TCP record longer than the limit; the transport closes the connection. */
    public void refusedTcpFrame() {
        metrics.drop(WireMetrics.Drop.TCP_FRAME);
    }

    public void receive(Frame f, Peer peer) {
        if (!f.isRequest()) {
            metrics.drop(WireMetrics.Drop.NOT_REQUEST);
            return;
        }
        metrics.received.increment();
        long now = System.nanoTime();
        if (f.session() == 0) {
            start(f, peer, now);
            return;
        }
        Session s = sessions.get(f.session());
        if (s == null || !s.address().equals(peer.address().getAddress())) {
            metrics.disolved.increment();
            send(peer, FrameCodec.encode(errorFrame(f, ErrorCode.DISOLVE, "")), false);
            return;
        }
        byte[] key = s.macKey();
        if (key != null ? !FrameCodec.verify(f, key) : f.isSigned()) {
            metrics.drop(WireMetrics.Drop.MAC); // tampered, forged, or unsigned in a signed session
            return;
        }
        // the window guards tagged sessions; an untagged one can be forged by anyone on the path anyway
        if (key != null && !s.withinReplayWindow(f.requestId(), REPLAY_WINDOW)) {
            metrics.drop(WireMetrics.Drop.STALE);
            return;
        }
        s.touch(now);
        cache.release(s.id(), f.released());
        ReplyCache.Lookup seen = cache.begin(s.id(), f.requestId(), FrameCodec.bodyCrc(f), now);
        switch (seen.kind()) {
            case NEW -> execute(f, s, peer);
            case DONE -> {
                metrics.retransmissions.increment();
                sendReply(peer, s, f, seen.reply());
            }
            case IN_PROGRESS -> {
                metrics.retransmissions.increment();
                running.waitSent(s, f.requestId(), now);
                sendWait(peer, s, f.session(), f.requestId(), now - seen.startedNanos());
            }
            case STALE -> metrics.drop(WireMetrics.Drop.STALE);
            case REUSED ->
                sendError(
                        peer,
                        s,
                        f,
                        ErrorCode.REUSED_ID,
                        "request id " + Long.toUnsignedString(f.requestId()) + " was used for another request",
                        true);
            case FULL -> {
                metrics.resource.increment();
                sendError(peer, s, f, ErrorCode.RESOURCE, "reply cache full", true);
            }
        }
    }

    private void execute(Frame f, Session s, Peer peer) {
        Envelope env;
        try {
            env = Envelope.decode(f.body());
        } catch (SiloException e) {
            byte[] reply = encode(s, errorFrame(f, e.code(), e.getMessage()));
            cache.complete(s.id(), f.requestId(), reply, System.nanoTime());
            sendReply(peer, s, f, reply);
            return;
        }
        if (!dispatcher.needsWorker(env)) {
            run(f, s, peer, env);
            return;
        }
        if (!workerSlots.tryAcquire()) {
            cache.abandon(s.id(), f.requestId());
            metrics.resource.increment();
            sendError(peer, s, f, ErrorCode.RESOURCE, "all " + config.maxWorkers() + " workers busy", true);
            return;
        }
        running.started(s, f.session(), f.requestId(), peer, System.nanoTime());
        try {
            workers.execute(() -> {
                try {
                    run(f, s, peer, env);
                } finally {
                    running.finished(s, f.requestId());
                    workerSlots.release();
                }
            });
        } catch (RuntimeException rejected) { // closing
            running.finished(s, f.requestId());
            workerSlots.release();
            cache.abandon(s.id(), f.requestId());
        }
    }

    /**
     * Says WAIT, unasked, to the clients of messages still running on workers (docs/protocol.md §6); the
     * transport calls it every 100 ms or so.
     */
    public void remind() {
        long now = System.nanoTime();
        for (WorkInProgress.Work w : running.due(now)) {
            sendWait(w.peer, w.session, w.frameSession, w.requestId, now - w.startedNanos);
        }
    }

    /** REPLY + WAIT: still running; ask again after about as long as it has run so far (0.1 .. 5 s). */
    private void sendWait(Peer peer, Session s, long frameSession, long requestId, long runningNanos) {
        long runningMs = TimeUnit.NANOSECONDS.toMillis(runningNanos);
        send(
                peer,
                encode(
                        s,
                        new Frame(
                                FLAG_REPLY | FLAG_WAIT,
                                frameSession,
                                requestId,
                                0,
                                FrameCodec.waitBody(Math.clamp(runningMs, 100, 5000)))),
                true);
    }

    private void run(Frame f, Session s, Peer peer, Envelope env) {
        CallContext ctx = new CallContext(s, f.requestId(), peer.address());
        List<Result> results = dispatcher.run(ctx, env);
        List<OperationData> out = new ArrayList<>(results.size());
        for (Result r : results) {
            out.add(r.encode());
        }
        byte[] reply = encode(s, Frame.reply(f.session(), f.requestId(), new Envelope(out).encode()));
        cache.complete(s.id(), f.requestId(), reply, System.nanoTime());
        sendReply(peer, s, f, reply);
        if (ctx.endSession()) {
            end(s);
        }
    }

    /** START (docs/protocol.md §4): a stateless cookie until the address is proved, then a session. */
    private void start(Frame f, Peer peer, long now) {
        byte[] reply;
        try {
            Envelope env = Envelope.decode(f.body());
            if (env.operations().size() != 1 || env.operations().get(0).code() != SessionOps.START) {
                throw SiloException.malformed("a frame without a session may only carry START");
            }
            StartRequest req = SessionOps.START_REQUEST.decode(
                    new WireReader(env.operations().get(0).data()));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(now - startedNanos) + epochSecondsAtStart;
            StartReply answer;
            if (peer.transportProven() || cookies.valid(req.cookie(), peer.address(), seconds)) {
                Session s = sessions.start(peer.address(), f.requestId(), now);
                s.clientId(req.clientId());
                if (s.user().isEmpty() && s.macKey() == null) {
                    s.grants(authenticator.anonymous(peer.address().getAddress()));
                }
                answer = new StartReply.Session(s.id(), config.sessionIdle().toMillis(), config.maxDatagram());
            } else {
                answer = new StartReply.Cookie(cookies.issue(peer.address(), seconds));
            }
            WireWriter w = new WireWriter();
            SessionOps.START_REPLY.encode(answer, w);
            Result ok = new Result.Success(SessionOps.START, w.toByteArray());
            reply = FrameCodec.encode(
                    Frame.reply(0, f.requestId(), Envelope.of(ok.encode()).encode()));
        } catch (SiloException e) {
            reply = FrameCodec.encode(errorFrame(f, e.code(), e.getMessage()));
        }
        send(peer, reply, peer.transportProven());
    }

    private void end(Session s) {
        if (sessions.end(s.id())) {
            cache.endSession(s.id());
            log.debug("{} ended", s);
        }
    }

    /** Ends idle sessions, and with them their saved replies; the transport calls it every second or so. */
    public void tick() {
        long now = System.nanoTime();
        for (Session s : sessions.idle(now, config.sessionIdle().toNanos())) {
            log.debug("{} expired after {} idle", s, config.sessionIdle());
            end(s);
            if (s.markEnding()) {
                try {
                    workers.execute(() -> dispatcher.sessionEnded(s, true));
                } catch (RuntimeException closing) {
                    // the endpoint is closing: nothing left to tell
                }
            }
        }
    }

    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessions", sessions.size());
        m.put("replyCacheEntries", cache.size());
        m.put("replyCacheBytes", cache.bytes());
        m.put("replyCacheHits", cache.hits());
        m.put("replyCacheMisses", cache.misses());
        m.put("replyCacheEvictions", cache.evictions());
        m.put("replyCacheRejected", cache.rejected());
        m.put("requests", (long) metrics.received.count());
        m.put("retransmissionsSeen", (long) metrics.retransmissions.count());
        return m;
    }

    private static Frame errorFrame(Frame f, ErrorCode code, String text) {
        return new Frame(
                FLAG_REPLY | FLAG_ERROR,
                f.session(),
                f.requestId(),
                0,
                FrameCodec.errorBody(code, text == null ? "" : text));
    }

    /** A frame of a session: tagged once the session has a key (docs/protocol.md §1). */
    private static byte[] encode(Session s, Frame f) {
        byte[] key = s.macKey();
        return FrameCodec.encode(key == null ? f : FrameCodec.sign(f, key));
    }

    private void sendError(Peer peer, Session s, Frame f, ErrorCode code, String text, boolean proven) {
        send(peer, encode(s, errorFrame(f, code, text)), proven);
    }

    /** A saved or fresh reply, within a proven session: TOO_BIG when it does not fit the transport. */
    private void sendReply(Peer peer, Session s, Frame request, byte[] reply) {
        if (reply.length > peer.maxFrame()) {
            metrics.tooBig.increment();
            sendError(
                    peer, s, request, ErrorCode.TOO_BIG, "reply of " + reply.length + " bytes: repeat over TCP", true);
            return;
        }
        send(peer, reply, true);
    }

    /**
     * RFC 9000 §8: to an address not yet proved, never more bytes than were received, and no more than
     * {@code unprovenPerSecond} answers a second.
     */
    private void send(Peer peer, byte[] frame, boolean proven) {
        if (!proven && !peer.transportProven()) {
            if (frame.length > peer.receivedBytes()) {
                metrics.drop(WireMetrics.Drop.AMPLIFICATION);
                return;
            }
            if (!unproven.tryAcquire(peer.address().getAddress(), System.nanoTime())) {
                metrics.drop(WireMetrics.Drop.RATE);
                return;
            }
        }
        metrics.replies.increment();
        peer.send(frame);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
