package org.silo.wire.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.WireConstants;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;

/**
 * The client's timers on a clock the test moves (an EmbeddedChannel's), against a server the test plays
 * frame by frame: what the listener is told and when a call is given up follow from what the server
 * said, never from how busy the machine running the test is.
 */
class CallTimersTest {
    private static final byte[] BODY =
            Envelope.of(new OperationData(0x7F20, new byte[] {1})).encode();
    private static final long SESSION = 77;

    private Bench bench;

    @AfterEach
    void close() {
        if (bench != null) {
            bench.close();
        }
    }

    /**
     * The client on a slow link (600 ms round trips) whose server says WAIT only when asked again, as a
     * server whose unasked WAIT was lost does: the client's first repeat comes after the listener's first
     * second, so it cannot have heard anything yet. It must not say "no answer" then, nor later while
     * the server keeps answering its repeats with WAIT (each asking it to wait as long as the work has run,
     * up to 5 s).
     */
    @Test
    void aServerThatAnswersRepeatsWithWaitIsNeverReportedAsSilent() throws Exception {
        bench = new Bench(Duration.ofMinutes(10));
        bench.learnRoundTrip(600);
        long started = bench.nowMs();
        CompletableFuture<CallEngine.Answer> call = bench.call(false);
        long finishAt = started + 40_000;
        int firstSeen = -1;
        while (!call.isDone()) {
            for (Frame f : bench.tick()) {
                long at = bench.nowMs();
                if (firstSeen < 0) {
                    firstSeen = 1; // the work starts; the server says nothing unasked
                } else if (at < finishAt) {
                    long running = at + 300 - started;
                    bench.deliver(at + 600, wait(f, Math.clamp(running, 100, 5000)));
                }
                if (at >= finishAt) {
                    bench.deliver(at + 600, reply(f));
                }
            }
            assertThat(bench.nowMs() - started).as("the call ends").isLessThan(60_000);
        }
        assertThat(call.get().frame().isWait()).isFalse();
        assertThat(bench.heard)
                .as("what the listener heard")
                .isNotEmpty()
                .allSatisfy(h -> assertThat(h).startsWith("working"));
        assertThat(bench.engine.stats.timeouts).isZero();
    }

    /** Over TCP nothing is repeated: the server's unasked WAITs keep the call, and the listener hears work. */
    @Test
    void unaskedWaitsKeepACallOverTcpAndSayTheServerIsWorking() throws Exception {
        bench = new Bench(Duration.ofSeconds(30));
        bench.learnRoundTrip(1);
        long started = bench.nowMs();
        CompletableFuture<CallEngine.Answer> call = bench.call(true);
        Frame request = null;
        long nextWait = started + 1000; // the server says WAIT every second, the first a second in
        while (bench.nowMs() < started + 20_000) {
            for (Frame f : bench.tick()) {
                assertThat(request).as("sent once").isNull();
                request = f;
            }
            if (request != null && bench.nowMs() >= nextWait) {
                bench.deliverOverTcp(bench.nowMs(), wait(request, Math.clamp(bench.nowMs() - started, 100, 5000)));
                nextWait += 1000;
            }
        }
        assertThat(call).as("still waiting, 20 s in").isNotDone();
        bench.deliverOverTcp(bench.nowMs(), reply(request));
        bench.tick();
        assertThat(call.get().overTcp()).isTrue();
        assertThat(bench.heard)
                .hasSizeGreaterThanOrEqualTo(15)
                .allSatisfy(h -> assertThat(h).startsWith("working"));
    }

    /**
     * Loopback round trips (1 ms) make the five retries last about 1.8 s. A server that pauses for 2.5 s
     * (a garbage collection on a busy machine) is answered after all: the retries are spent, but the
     * server has not been silent for 5 s, so the client keeps asking.
     */
    @Test
    void aServerThatPausesLongerThanTheRetriesIsStillWaitedFor() throws Exception {
        bench = new Bench(Duration.ofSeconds(30));
        bench.learnRoundTrip(1);
        long started = bench.nowMs();
        CompletableFuture<CallEngine.Answer> call = bench.call(false);
        while (!call.isDone()) {
            for (Frame f : bench.tick()) {
                if (bench.nowMs() - started >= 2_500) {
                    bench.deliver(bench.nowMs() + 1, reply(f));
                }
            }
        }
        assertThat(call.get().transmissions())
                .as("more than the 1 + 5 the retries allow")
                .isGreaterThan(6);
        assertThat(bench.engine.stats.timeouts).isZero();
    }

    /** A server that never answers: the listener hears "no answer", and the call ends once it has been silent 5 s. */
    @Test
    void aSilentServerIsReportedAndGivenUpAfterFiveSecondsOfSilence() throws Exception {
        bench = new Bench(Duration.ofSeconds(30));
        bench.learnRoundTrip(1);
        long started = bench.nowMs();
        CompletableFuture<CallEngine.Answer> call = bench.call(false);
        while (!call.isDone()) {
            bench.tick();
        }
        long endedAfter = bench.nowMs() - started;
        assertThat(endedAfter)
                .as("given up after 5 s of silence, long before the deadline")
                .isBetween(5_000L, 15_000L);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call::get);
        assertThat(((SiloException) e.getCause()).code()).isEqualTo(ErrorCode.TIMEDOUT);
        assertThat(e.getCause().getMessage()).contains("no answer from 127.0.0.1:7400");
        assertThat(bench.heard).isNotEmpty().allSatisfy(h -> assertThat(h).startsWith("no answer"));
    }

    /** A WAIT and then silence: working at first, then no answer once the silence is longer than the WAIT promised. */
    @Test
    void aServerThatFallsSilentAfterItsWaitIsReportedSilentInTheEnd() throws Exception {
        bench = new Bench(Duration.ofSeconds(60));
        bench.learnRoundTrip(1);
        long started = bench.nowMs();
        CompletableFuture<CallEngine.Answer> call = bench.call(false);
        boolean waited = false;
        while (!call.isDone()) {
            for (Frame f : bench.tick()) {
                if (!waited && bench.nowMs() - started >= 500) {
                    bench.deliver(bench.nowMs() + 1, wait(f, 500));
                    waited = true;
                }
            }
        }
        assertThat(bench.heard).first().asString().startsWith("working");
        assertThat(bench.heard).last().asString().startsWith("no answer");
        assertThat(bench.engine.stats.timeouts).isEqualTo(1);
    }

    /**
     * A reply too big for a datagram, on a machine slow enough that the client repeats its datagram
     * before the first TOO_BIG arrives: it moves to TCP on the first, and the repeats' TOO_BIGs, which
     * come after, are not taken for the TCP request's answer.
     */
    @Test
    void theTooBigOfARepeatThatArrivesAfterTheMoveToTcpIsNotTheAnswer() throws Exception {
        bench = new Bench(Duration.ofSeconds(30));
        bench.learnRoundTrip(1);
        long started = bench.nowMs();
        CompletableFuture<CallEngine.Answer> call = bench.call(false);
        int datagrams = 0;
        int overTcp = 0;
        while (!call.isDone()) {
            for (Frame f : bench.tick()) {
                if (bench.lastSentOverTcp.contains(f)) {
                    overTcp++;
                    bench.deliverOverTcp(bench.nowMs() + 300, reply(f));
                } else {
                    datagrams++;
                    bench.deliver(bench.nowMs() + 100, tooBig(f)); // each TOO_BIG is late: the client repeats meanwhile
                }
            }
            assertThat(bench.nowMs() - started).as("the call ends").isLessThan(10_000);
        }
        assertThat(datagrams).as("repeated before the first TOO_BIG came").isGreaterThan(1);
        assertThat(overTcp).as("one request over TCP").isEqualTo(1);
        CallEngine.Answer a = call.get();
        assertThat(a.overTcp()).isTrue();
        assertThat(a.frame().isError()).isFalse();
    }

    private static Frame tooBig(Frame request) {
        return new Frame(
                WireConstants.FLAG_REPLY | WireConstants.FLAG_ERROR,
                request.session(),
                request.requestId(),
                0,
                FrameCodec.errorBody(ErrorCode.TOO_BIG, "reply of 50000 bytes: repeat over TCP"));
    }

    private static Frame wait(Frame request, long millis) {
        return new Frame(
                WireConstants.FLAG_REPLY | WireConstants.FLAG_WAIT,
                request.session(),
                request.requestId(),
                0,
                FrameCodec.waitBody(millis));
    }

    private static Frame reply(Frame request) {
        return Frame.reply(
                request.session(),
                request.requestId(),
                Envelope.of(new OperationData(0x7F20, new byte[] {1})).encode());
    }

    /** A CallEngine on EmbeddedChannels that share one clock, which moves only when {@link #tick} moves it. */
    private static final class Bench implements AutoCloseable {
        final MockTicker clock = Ticker.newMockTicker();
        final EmbeddedChannel udp = EmbeddedChannel.builder().ticker(clock).build();
        final EmbeddedChannel tcp = EmbeddedChannel.builder().ticker(clock).build();
        final List<String> heard = new ArrayList<>();
        final CallEngine engine;
        private final long origin = clock.nanoTime();
        private final PriorityQueue<Delivery> deliveries = new PriorityQueue<>();
        /** Which of the frames the last {@link #tick} returned went over TCP. */
        final List<Frame> lastSentOverTcp = new ArrayList<>();

        private long order;

        private record Delivery(long atMs, long order, Frame frame, boolean viaTcp) implements Comparable<Delivery> {
            @Override
            public int compareTo(Delivery o) {
                return atMs != o.atMs ? Long.compare(atMs, o.atMs) : Long.compare(order, o.order);
            }
        }

        Bench(Duration deadline) {
            ClientOptions options = ClientOptions.to(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7400))
                    .withName("127.0.0.1:7400")
                    .withDeadline(deadline)
                    .withListener(new ClientListener() {
                        @Override
                        public void waiting(String server, long waitedMillis, int retransmissions) {
                            heard.add("no answer after " + waitedMillis + " ms");
                        }

                        @Override
                        public void working(String server, long waitedMillis) {
                            heard.add("working after " + waitedMillis + " ms");
                        }
                    });
            engine = new CallEngine(udp.eventLoop(), udp, () -> CompletableFuture.completedFuture(tcp), options);
        }

        long nowMs() {
            return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - origin);
        }

        CompletableFuture<CallEngine.Answer> call(boolean overTcp) {
            CompletableFuture<CallEngine.Answer> f = engine.submit(SESSION, BODY, overTcp);
            udp.runPendingTasks();
            return f;
        }

        /** A call answered after {@code millis}, answered at its first sending: the client's RTT estimate learns it. */
        void learnRoundTrip(long millis) throws Exception {
            CompletableFuture<CallEngine.Answer> f = call(false);
            List<Frame> sent = sent();
            assertThat(sent).hasSize(1);
            deliver(nowMs() + millis, reply(sent.get(0)));
            while (!f.isDone()) {
                assertThat(tick()).as("no repeat: the round trip is a sample").isEmpty();
            }
            heard.clear();
        }

        /** Hands the client a frame at {@code atMs}, as if it came in a datagram. */
        void deliver(long atMs, Frame f) {
            deliveries.add(new Delivery(atMs, order++, f, false));
        }

        /** Hands the client a frame at {@code atMs}, as if it came on its TCP connection. */
        void deliverOverTcp(long atMs, Frame f) {
            deliveries.add(new Delivery(atMs, order++, f, true));
        }

        /** Delivers what is due, moves the clock 1 ms, runs the timers; returns the frames the client sent. */
        List<Frame> tick() {
            lastSentOverTcp.clear();
            while (!deliveries.isEmpty() && deliveries.peek().atMs() <= nowMs()) {
                Delivery d = deliveries.poll();
                engine.received(d.frame(), d.viaTcp());
            }
            udp.runPendingTasks();
            clock.advance(1, TimeUnit.MILLISECONDS);
            udp.runPendingTasks();
            udp.runScheduledPendingTasks();
            return sent();
        }

        private List<Frame> sent() {
            List<Frame> out = new ArrayList<>();
            for (Object o; (o = udp.readOutbound()) != null; ) {
                DatagramPacket p = (DatagramPacket) o;
                out.add(decode(p.content()));
                p.release();
            }
            for (Object o; (o = tcp.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                b.skipBytes(4);
                Frame f = decode(b);
                out.add(f);
                lastSentOverTcp.add(f);
                b.release();
            }
            return out;
        }

        private static Frame decode(ByteBuf b) {
            try {
                return FrameCodec.decode(b.nioBuffer());
            } catch (FrameCodec.FrameException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            udp.finishAndReleaseAll();
            tcp.finishAndReleaseAll();
        }
    }
}
