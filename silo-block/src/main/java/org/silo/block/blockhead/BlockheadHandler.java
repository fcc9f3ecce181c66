package org.silo.block.blockhead;

import static org.silo.block.blockhead.BlockheadConstants.*;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.silo.block.image.Access;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Blockhead packets against the image store. Runs on the server's own single event-loop
 * thread (see {@link BlockheadServer#start()}), so all session state stays on one thread, lock-free.
 */
final class BlockheadHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(BlockheadHandler.class);

    private final BlockheadServer.Config config;
    private final BlockheadCounters counters;
    private final SessionTable sessions = new SessionTable();
    private final RecentDisconnects disconnected = new RecentDisconnects();
    private final byte[] scratch = new byte[512]; // one READ at a time: the handler's thread

    BlockheadHandler(BlockheadServer.Config config, BlockheadCounters counters) {
        this.config = config;
        this.counters = counters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long period = Math.max(10, Math.min(config.idleTimeout().toMillis() / 4, 60_000));
        ctx.executor().scheduleAtFixedRate(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeAll();
    }

    /** Closes every session and releases its image; runs on the event loop. */
    void closeAll() {
        sessions.all().forEach(sessions::remove);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        counters.datagrams.increment();
        InetSocketAddress from = packet.sender();
        ByteBuf out;
        BlockheadPacket p = BlockheadCodec.decode(packet.content());
        try {
            out = switch (p) {
                case BlockheadPacket.Connect c -> connect(ctx, c, from);
                case BlockheadPacket.Command c -> command(ctx, c, from);
                case BlockheadPacket.Disconnect d -> disconnect(ctx, d, from);
                case BlockheadPacket.Keep k -> keep(ctx, from);
                case BlockheadPacket.Malformed m -> status(ctx, m.seq(), ERR_FORMAT);
                case BlockheadPacket.Ignored i -> null;
            };
        } catch (RuntimeException e) {
            // A bug must cost one reply, never the server.
            LOG.warn("blockhead packet from {} failed", from, e);
            out = seqOf(p) < 0 ? null : status(ctx, seqOf(p), ERR_SHORT);
        }
        if (out == null) {
            counters.dropped.increment();
        } else {
            ctx.write(new DatagramPacket(out, from));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    private ByteBuf connect(ChannelHandlerContext ctx, BlockheadPacket.Connect c, InetSocketAddress from) {
        int sectorSize = sectorSize(c.flags());
        if (sectorSize < 0) {
            return status(ctx, c.seq(), ERR_BADFLG);
        }
        String name = c.name().isEmpty() ? config.defaultImage() : c.name();
        BlockheadSession old = sessions.findByClientAndImage(from, name);
        if (old != null) {
            if (old.connectSeq == c.seq() && !old.window.used() && old.sectorSize == sectorSize) {
                // Our CONNECT reply was lost and the client retried: same session, same answer.
                counters.replays.increment();
                return encode(ctx, new BlockheadReply.Connected(c.seq(), old.id));
            }
            // The client restarted and mounts again: free its old session (tnfsd does the same).
            sessions.remove(old);
        }
        if (!config.store().admits(name, from.getAddress())) {
            // only listed addresses (docs/block.md, "Access policy"); answered as for a missing image, so it is not
            // revealed.
            counters.refused.increment();
            return status(ctx, c.seq(), ERR_NOI);
        }
        if (sessions.size() >= config.maxSessions()
                || sessions.countFor(from.getAddress()) >= config.maxSessionsPerAddress()) {
            return status(ctx, c.seq(), ERR_EOM);
        }
        ImageLease lease;
        try {
            lease = open(name, from);
        } catch (ImageException e) {
            LOG.debug("blockhead CONNECT {} from {}: {}", name, from, e.getMessage());
            return status(ctx, c.seq(), e.reason() == ImageException.Reason.IO ? ERR_SHORT : ERR_NOI);
        }
        BlockheadSession s =
                new BlockheadSession(sessions.newId(), from, lease, sectorSize, c.seq(), System.nanoTime());
        sessions.add(s);
        counters.sessionsOpened.increment();
        return encode(ctx, new BlockheadReply.Connected(c.seq(), s.id));
    }

    private ImageLease open(String name, InetSocketAddress from) throws ImageException {
        String holder = "blockhead " + from;
        try {
            return config.store().open(name, Access.WRITE, holder, from.getAddress());
        } catch (ImageException e) {
            if (e.reason() != ImageException.Reason.READ_ONLY) {
                throw e;
            }
            // A read-only image, or policy read-only, is mounted read-only; WRITEs then get ERR_SHORT.
            return config.store().open(name, Access.READ, holder, from.getAddress());
        }
    }

    private ByteBuf command(ChannelHandlerContext ctx, BlockheadPacket.Command c, InetSocketAddress from) {
        BlockheadSession s = sessions.find(c.session(), from);
        if (s == null) {
            return status(ctx, c.seq(), ERR_BADID);
        }
        s.lastActiveNanos = System.nanoTime();
        ByteBuf saved = s.window.replay(c);
        if (saved != null) {
            counters.replays.increment();
            return saved;
        }
        ByteBuf reply = execute(ctx, s, c);
        s.window.record(c, reply);
        return reply;
    }

    private ByteBuf execute(ChannelHandlerContext ctx, BlockheadSession s, BlockheadPacket.Command c) {
        int n = s.sectorSize;
        if (c.op() == OP_WRITE && c.data().readableBytes() != n) {
            return status(ctx, c.seq(), ERR_FORMAT);
        }
        long offset = c.lsn() * n; // LSN < 2^32, n <= 512: no overflow in 64 bits
        if (offset > s.lease.size() - n) {
            return status(ctx, c.seq(), ERR_SEEK);
        }
        try {
            if (c.op() == OP_READ) {
                return read(ctx, s, c.seq(), offset);
            }
            if (!s.lease.writable()) {
                return status(ctx, c.seq(), ERR_SHORT);
            }
            s.lease.write(c.data().nioBuffer(), offset);
            counters.writes.increment();
            return status(ctx, c.seq(), ERR_OK);
        } catch (IOException | InternalError e) {
            // InternalError: a fault while reading the mapping (disk error, file truncated outside).
            LOG.warn("blockhead I/O on {} at {}: {}", s.lease.name(), offset, e.toString());
            return status(ctx, c.seq(), ERR_SHORT);
        }
    }

    /**
     * A READ through the image's mapping: no pread per datagram, and the sector is copied once,
     * from the page cache into the reply (READ rates in docs/block.md "Block benchmarks").
     */
    private ByteBuf read(ChannelHandlerContext ctx, BlockheadSession s, int seq, long offset) throws IOException {
        int n = s.sectorSize;
        java.nio.ByteBuffer view = s.lease.view(offset, n);
        if (view == null) { // crosses a mapping chunk: cannot happen for aligned sectors
            s.lease.read(java.nio.ByteBuffer.wrap(scratch, 0, n), offset);
            view = java.nio.ByteBuffer.wrap(scratch, 0, n);
        }
        ByteBuf out = BlockheadCodec.sectorReply(ctx.alloc(), seq, view);
        counters.reads.increment();
        return out;
    }

    private ByteBuf disconnect(ChannelHandlerContext ctx, BlockheadPacket.Disconnect d, InetSocketAddress from) {
        BlockheadSession s = sessions.find(d.session(), from);
        if (s == null) {
            if (disconnected.isRepeat(d, from)) {
                // Our OK was lost and the client asks again: the saved answer, not "bad session".
                counters.replays.increment();
                return status(ctx, d.seq(), ERR_OK);
            }
            return status(ctx, d.seq(), ERR_BADID);
        }
        sessions.remove(s);
        disconnected.remember(d, from);
        return status(ctx, d.seq(), ERR_OK);
    }

    private ByteBuf keep(ChannelHandlerContext ctx, InetSocketAddress from) {
        long now = System.nanoTime();
        sessions.ofAddress(from).forEach(s -> s.lastActiveNanos = now);
        return encode(ctx, new BlockheadReply.Keep());
    }

    private void reap() {
        long now = System.nanoTime();
        long idle = config.idleTimeout().toNanos();
        for (BlockheadSession s : sessions.all()) {
            if (now - s.lastActiveNanos > idle) {
                LOG.info("blockhead session {} of {} idle, closing {}", s.id, s.client, s.lease.name());
                sessions.remove(s);
                counters.sessionsReaped.increment();
            }
        }
    }

    private static int seqOf(BlockheadPacket p) {
        return switch (p) {
            case BlockheadPacket.Connect c -> c.seq();
            case BlockheadPacket.Command c -> c.seq();
            case BlockheadPacket.Disconnect d -> d.seq();
            case BlockheadPacket.Malformed m -> m.seq();
            case BlockheadPacket.Keep k -> -1;
            case BlockheadPacket.Ignored i -> -1;
        };
    }

    private ByteBuf status(ChannelHandlerContext ctx, int seq, int error) {
        if (error != ERR_OK) {
            counters.errors.increment();
        }
        return encode(ctx, new BlockheadReply.Status(seq, error));
    }

    private static ByteBuf encode(ChannelHandlerContext ctx, BlockheadReply reply) {
        return BlockheadCodec.encode(reply, ctx.alloc());
    }

    /** Live sessions, for tests and {@code disk ls}; call on the handler's executor. */
    int sessionCount() {
        return sessions.size();
    }
}
