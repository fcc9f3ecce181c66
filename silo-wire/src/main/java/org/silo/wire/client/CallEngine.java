package org.silo.wire.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.silo.wire.ErrorCode;
import org.silo.wire.SessionGoneException;
import org.silo.wire.SiloException;
import org.silo.wire.WireConstants;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.WireReader;

/**
 * The calls in flight of one client and their timers, owned by one event loop: every field is touched
 * only on {@link #loop}, so there are no locks. Callers hand work in with {@link #submit} from any thread.
 *
 * <p>Request ids start at a random value below 2^62 and increase (docs/protocol.md §7). A call is sent
 * over UDP and retransmitted on timeout with RFC 9002 timers, or over TCP when it is too big for a
 * datagram or the server answered TOO_BIG. The oldest unanswered id is sent as {@code released}, so
 * the server may forget the replies of everything older.
 *
 * <p>Time is the event loop's ticker, not the system clock, so that a test can run the timers on a
 * clock it moves (Netty's EmbeddedChannel).
 */
final class CallEngine {
    /**
     * A server answers a request it has within this long, with WAIT while it is still working on it
     * (docs/protocol.md §6); a call that has heard nothing for longer than this plus a round trip has
     * had no answer.
     */
    static final long ANSWER_PROMISE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * A call whose retries are spent is given up only once the server has said nothing about it for
     * this long: a busy server that pauses for a second or two is not taken for a dead one.
     */
    static final long GIVE_UP_SILENCE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Calls that have waited this long are reported to the listener, at most once a second. */
    static final long REPORT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop;
    private final Channel udp;
    private final Supplier<CompletableFuture<Channel>> tcp;
    private final ClientOptions options;
    private final RttEstimator rtt = new RttEstimator();
    private final TreeMap<Long, Call> inflight = new TreeMap<>();
    /**
     * Ids of calls that went unanswered and may be sent again, with the same id, to the next server of the
     * list: they stay below {@code released} until then, or a server that has the repeat's new session
     * could take it for a stale duplicate (docs/protocol.md §6).
     */
    private final TreeSet<Long> held = new TreeSet<>();
    /** The server calls go to now: the first of the list until the client moves ({@link #moveTo}). */
    private volatile ClientOptions.Server target;

    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    private long nextId = new SecureRandom().nextLong(1L << 62);
    private long lastSendNanos;
    private long lastSlowReport;
    /** The session key: outgoing frames are tagged with it and incoming ones must be. */
    private byte[] macKey;
    /** The key a PASSWD will bring: its signed reply is the first frame tagged with it. */
    private byte[] pendingKey;

    final ClientStats stats = new ClientStats();

    /**
     * One call as its sender follows it: the request id it was given, and whether it failed for want of an
     * answer (the timeout of docs/protocol.md §7, or a lost TCP connection) rather than by the server's word.
     * A ticket handed to {@link #submit} again sends the call again with the same request id.
     */
    static final class Ticket {
        /**
         * Whether the sender may send the call again with this ticket (a call, not a NIL or END): only then is
         * its id held below {@code released} when it fails for want of an answer or by DISOLVE. Holding the
         * id of a keepalive that nobody sends again would keep {@code released} down for good, and with it
         * every reply the servers keep for the client.
         */
        final boolean repeatable;

        volatile long id = -1;
        volatile boolean unanswered;
        /** Its id is held below {@code released} until sent again, or until {@link CallEngine#forget}. */
        volatile boolean held;

        Ticket() {
            this(false);
        }

        Ticket(boolean repeatable) {
            this.repeatable = repeatable;
        }
    }

    private final class Call {
        final long session;
        final byte[] body;
        final CompletableFuture<Answer> promise;
        final Ticket ticket;
        final long deadline;
        /** The TCP connection the call went on (null: not yet, or UDP). */
        Channel channel;

        long id;
        int transmissions;
        int retransmissionsLeft;
        long firstSent;
        /** When the server last answered WAIT for this call (0: never): it has the call and is working on it. */
        long lastWait;
        /** When the server last said anything about this call, WAIT or RESOURCE (0: never). */
        long lastHeard;
        /** How long the server may now be quiet about this call: its promise, or the wait its WAIT asked for. */
        long quietNanos = ANSWER_PROMISE_NANOS;

        boolean noRttSample;
        boolean overTcp;
        ScheduledFuture<?> timer;

        Call(long session, byte[] body, boolean overTcp, CompletableFuture<Answer> promise, Ticket ticket) {
            this.session = session;
            this.ticket = ticket;
            this.body = body;
            this.overTcp = overTcp;
            this.promise = promise;
            this.deadline = now() + options.deadline().toNanos();
            this.retransmissionsLeft = options.retries();
        }
    }

    CallEngine(EventLoop loop, Channel udp, Supplier<CompletableFuture<Channel>> tcp, ClientOptions options) {
        this.loop = loop;
        this.udp = udp;
        this.tcp = tcp;
        this.options = options;
        this.target = options.servers().get(0);
        this.lastSendNanos = now();
        loop.scheduleAtFixedRate(this::reportSlow, 250, 250, TimeUnit.MILLISECONDS);
    }

    private long now() {
        return loop.ticker().nanoTime();
    }

    /** A reply frame and how its call went. */
    record Answer(Frame frame, int transmissions, long elapsedNanos, boolean overTcp) {}

    /** Sends a request body in a session (0 for START); the future gets the answer. */
    CompletableFuture<Answer> submit(long session, byte[] body, boolean forceTcp) {
        return submit(session, body, forceTcp, new Ticket());
    }

    /** As {@link #submit(long, byte[], boolean)}; a ticket that has an id sends the call with that id again. */
    CompletableFuture<Answer> submit(long session, byte[] body, boolean forceTcp, Ticket ticket) {
        CompletableFuture<Answer> promise = new CompletableFuture<>();
        boolean tooBig = body.length + WireConstants.MIN_FRAME > options.maxDatagram();
        ticket.unanswered = false;
        loop.execute(() -> enqueue(new Call(session, body, forceTcp || tooBig, promise, ticket)));
        return promise;
    }

    /** Calls go to {@code server} from now on (those in flight to the old one are let time out). */
    void moveTo(ClientOptions.Server server) {
        target = server;
    }

    ClientOptions.Server target() {
        return target;
    }

    /** A held call's id will not be sent again: it no longer holds {@code released} down. */
    void forget(Ticket t) {
        loop.execute(() -> held.remove(t.id));
    }

    long nanosSinceLastSend() {
        return now() - lastSendNanos;
    }

    private void enqueue(Call c) {
        if (inflight.size() < options.window()) {
            launch(c);
        } else {
            waiting.add(c);
        }
    }

    private void launch(Call c) {
        c.id = c.ticket.id >= 0 ? c.ticket.id : nextId++;
        c.ticket.id = c.id;
        held.remove(c.id);
        c.ticket.held = false;
        inflight.put(c.id, c);
        c.firstSent = now();
        stats.calls++;
        if (c.overTcp) {
            sendTcp(c);
        } else {
            sendUdp(c);
        }
    }

    private long released() {
        long r = inflight.isEmpty() ? nextId : inflight.firstKey();
        return held.isEmpty() ? r : Math.min(r, held.first());
    }

    private byte[] frame(Call c) {
        Frame f = Frame.request(c.session, c.id, released(), c.body);
        return FrameCodec.encode(macKey == null || c.session == 0 ? f : FrameCodec.sign(f, macKey));
    }

    /** After this, a reply tagged with {@code key} is accepted and makes it the session key. */
    void expectKey(byte[] key) {
        loop.execute(() -> pendingKey = key);
    }

    /** Forgets the session key: a new session starts unsigned. */
    void clearKey() {
        loop.execute(() -> {
            macKey = null;
            pendingKey = null;
        });
    }

    /** Whether a reply's tag is right; unsigned replies pass only while the session has no key. */
    private boolean authentic(Frame f) {
        if (f.isSigned()) {
            if (macKey != null && FrameCodec.verify(f, macKey)) {
                return true;
            }
            if (pendingKey != null && FrameCodec.verify(f, pendingKey)) {
                macKey = pendingKey;
                pendingKey = null;
                return true;
            }
            return false;
        }
        // a server that lost the session cannot tag its DISOLVE: let it through, it only ends the call
        return macKey == null
                || f.session() == 0
                || f.isError() && FrameCodec.readError(f) instanceof SessionGoneException;
    }

    private void sendUdp(Call c) {
        c.transmissions++;
        lastSendNanos = now();
        udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(frame(c)), target.address()), udp.voidPromise());
        arm(c, rtt.timeoutNanos(c.transmissions));
    }

    private void sendTcp(Call c) {
        c.overTcp = true;
        c.transmissions++;
        c.noRttSample = true;
        lastSendNanos = now();
        byte[] bytes = frame(c);
        tcp.get()
                .whenComplete((ch, err) -> loop.execute(() -> {
                    if (!inflight.containsKey(c.id)) {
                        return;
                    }
                    if (err != null) {
                        unanswered(
                                c,
                                SiloException.of(
                                        ErrorCode.IO,
                                        "cannot reach " + target.name() + " over TCP: " + err.getMessage()));
                        return;
                    }
                    c.channel = ch;
                    ByteBuf length = Unpooled.buffer(4).writeInt(bytes.length);
                    ch.writeAndFlush(Unpooled.wrappedBuffer(length, Unpooled.wrappedBuffer(bytes)));
                }));
        arm(c, c.deadline - now());
    }

    private void arm(Call c, long delayNanos) {
        if (c.timer != null) {
            c.timer.cancel(false);
        }
        long untilDeadline = c.deadline - now();
        c.timer =
                loop.schedule(() -> expired(c), Math.max(0, Math.min(delayNanos, untilDeadline)), TimeUnit.NANOSECONDS);
    }

    private void expired(Call c) {
        if (inflight.get(c.id) != c) {
            return;
        }
        long now = now();
        boolean spent = c.retransmissionsLeft <= 0 && now - silentSince(c) >= GIVE_UP_SILENCE_NANOS;
        if (now >= c.deadline || spent || c.overTcp) {
            stats.timeouts++;
            double seconds = (now - c.firstSent) / 1e9;
            unanswered(
                    c,
                    SiloException.of(
                            ErrorCode.TIMEDOUT,
                            String.format(
                                    "no answer from %s after %d transmission%s over %.1f s",
                                    target.name(), c.transmissions, c.transmissions == 1 ? "" : "s", seconds)));
            return;
        }
        // retries spent but the server was heard from lately: it may be paused (a busy machine), so keep
        // asking, the timer doubling as before, until it has been silent long enough or the deadline
        c.retransmissionsLeft = Math.max(0, c.retransmissionsLeft - 1);
        c.noRttSample = true;
        stats.retransmissions++;
        sendUdp(c);
    }

    /** Since when the server has said nothing about this call. */
    private static long silentSince(Call c) {
        return Math.max(c.firstSent, c.lastHeard);
    }

    /**
     * A reply frame from either transport; runs on the loop. Unknown and repeated replies are dropped, and
     * so is an error that answers a datagram of a call that has since moved to TCP: a busy machine may
     * have made the client repeat it before the first TOO_BIG came, and the repeat's TOO_BIG (or a
     * RESOURCE) says nothing about the TCP request, whose answer comes on the connection.
     */
    void received(Frame f, boolean viaTcp) {
        Call c = inflight.get(f.requestId());
        if (c == null || !authentic(f) || c.overTcp && !viaTcp && f.isError()) {
            stats.droppedReplies++;
            return;
        }
        if (f.isWait()) {
            long waitMs = 100;
            try {
                waitMs = new WireReader(f.body()).u32();
            } catch (SiloException ignored) {
                // a malformed WAIT still means "wait"
            }
            stats.waits++;
            c.lastWait = now();
            c.lastHeard = c.lastWait;
            c.quietNanos = Math.max(ANSWER_PROMISE_NANOS, TimeUnit.MILLISECONDS.toNanos(waitMs));
            c.noRttSample = true;
            if (c.overTcp) {
                return; // nothing to repeat on a stream: the call waits for its reply until the deadline
            }
            c.retransmissionsLeft = options.retries(); // ARDP: a WAIT restores the retry budget
            arm(c, Math.max(TimeUnit.MILLISECONDS.toNanos(waitMs), rtt.timeoutNanos()));
            return;
        }
        if (f.isError()) {
            SiloException e = FrameCodec.readError(f);
            if (e.code() == ErrorCode.TOO_BIG && !c.overTcp) {
                sendTcp(c);
                return;
            }
            if (e.code() == ErrorCode.RESOURCE && c.retransmissionsLeft > 0 && !c.overTcp) {
                c.lastHeard = now();
                c.retransmissionsLeft--;
                c.noRttSample = true;
                arm(c, rtt.timeoutNanos(c.transmissions + 1)); // back off, then send again
                return;
            }
            if (e instanceof SessionGoneException) {
                // The server that says DISOLVE did not run the call, but the session it does not know may
                // have: this server before a restart, or the server the client moved from (a call still in
                // flight there is repeated to the new one in the old session). The call is sent again in a
                // new session with this id, so that the archive's record of it answers (issue 17), and the
                // id stays below released until then, or the new session would drop it as stale.
                hold(c);
            }
            fail(c, e);
            return;
        }
        long elapsed = now() - c.firstSent;
        if (!c.noRttSample) {
            rtt.sample(elapsed);
        }
        finish(c);
        c.promise.complete(new Answer(f, c.transmissions, elapsed, c.overTcp));
    }

    /** A TCP connection closed: calls that were waiting on it fail (the caller may repeat them). */
    void tcpLost(Channel ch) {
        for (Call c : inflight.values().toArray(new Call[0])) {
            if (c.overTcp && c.channel == ch) {
                unanswered(c, SiloException.of(ErrorCode.IO, "TCP connection to " + target.name() + " closed"));
            }
        }
    }

    /** Fails a call that had no answer; with several servers its id is held for sending it again. */
    private void unanswered(Call c, SiloException e) {
        c.ticket.unanswered = true;
        if (options.servers().size() > 1) {
            hold(c);
        }
        fail(c, e);
    }

    private void hold(Call c) {
        if (c.ticket.repeatable) {
            held.add(c.id);
            c.ticket.held = true;
        }
    }

    private void fail(Call c, SiloException e) {
        finish(c);
        c.promise.completeExceptionally(e);
    }

    private void finish(Call c) {
        if (c.timer != null) {
            c.timer.cancel(false);
        }
        inflight.remove(c.id);
        while (!waiting.isEmpty() && inflight.size() < options.window()) {
            launch(waiting.poll());
        }
    }

    /** Fails everything: the client is closing. */
    void closeAll() {
        loop.execute(() -> {
            SiloException e = SiloException.of(ErrorCode.IO, "client closed");
            for (Call c : inflight.values().toArray(new Call[0])) {
                fail(c, e);
            }
            for (Call c : waiting) {
                c.promise.completeExceptionally(e);
            }
            waiting.clear();
        });
    }

    /**
     * Tells the listener about the oldest call once it has waited a second, then at most once a second:
     * working while the server keeps saying WAIT for it, no answer once the server has said nothing about
     * it for longer than it promises to or its last WAIT asked for, a round trip included; until then,
     * nothing, since the server may well be answering.
     */
    private void reportSlow() {
        if (inflight.isEmpty()) {
            return;
        }
        long now = now();
        Call oldest = inflight.firstEntry().getValue(); // ids increase in launch order
        long waited = now - oldest.firstSent;
        if (waited < REPORT_AFTER_NANOS || lastSlowReport != 0 && now - lastSlowReport < REPORT_AFTER_NANOS) {
            return;
        }
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(waited);
        if (now - silentSince(oldest) >= oldest.quietNanos + rtt.timeoutNanos()) {
            lastSlowReport = now;
            options.listener().waiting(target.name(), waitedMillis, oldest.transmissions - 1);
        } else if (oldest.lastWait != 0) {
            lastSlowReport = now;
            options.listener().working(target.name(), waitedMillis);
        }
    }

    RttEstimator rtt() {
        return rtt;
    }
}
