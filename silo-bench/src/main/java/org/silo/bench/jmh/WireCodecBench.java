package org.silo.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.server.ReplyCache;

/**
 * The per-request CPU cost of the message layer's hot path: frame and envelope coding with CRC32C,
 * and one reply-cache round (begin, complete, release).
 *
 * <pre>java -jar silo-bench/target/silo-bench.jar WireCodecBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireCodecBench {
    private byte[] pingFrame;
    private final ReplyCache cache = new ReplyCache(65536, 64L << 20, 1024, TimeUnit.SECONDS.toNanos(120));
    private long id;

    @Setup
    public void setup() {
        byte[] env = Envelope.of(new OperationData(0x0101, new byte[32])).encode();
        pingFrame = FrameCodec.encode(Frame.request(42, 1, 0, env));
    }

    @Benchmark
    public byte[] encodePing() {
        byte[] env = Envelope.of(new OperationData(0x0101, new byte[32])).encode();
        return FrameCodec.encode(Frame.request(42, 1, 0, env));
    }

    @Benchmark
    public Envelope decodePing() throws Exception {
        return Envelope.decode(FrameCodec.decode(pingFrame).body());
    }

    @Benchmark
    public int replyCacheRound() {
        long n = id++;
        ReplyCache.Lookup l = cache.begin(7, n, 0, n);
        cache.complete(7, n, pingFrame, n);
        cache.release(7, n);
        return l.kind().ordinal();
    }
}
