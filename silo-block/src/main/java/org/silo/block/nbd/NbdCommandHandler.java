package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transmission phase. Requests are checked on the event loop (cheap), then run by the server's
 * worker pool and answered as each finishes, so replies come out of order (proto.md allows it). A
 * cap on requests and bytes in flight stops reading from the socket until the workers catch up.
 * A small READ is answered on the event loop from the image's memory mapping instead, as Blockhead's
 * READ is (docs/block.md, "Threads"): the hand-over to a worker and back cost more than the copy (a
 * quarter of the server's CPU went to waking threads in a 4k random-read profile).
 */
final class NbdCommandHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NbdCommandHandler.class);
    private static final int MAX_IN_FLIGHT = 128;
    private static final long MAX_IN_FLIGHT_BYTES = 128L << 20;
    /** The largest READ answered on the event loop; larger ones go to a worker (a copy that long would hold up the loop's other connections). */
    static final int INLINE_READ_MAX = 64 * 1024;

    private final NbdExport export;
    private final NbdServer.Shared shared;
    private final NbdCommands commands;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean ending; // DISC received or connection gone
    private volatile ChannelHandlerContext ctx;

    NbdCommandHandler(NbdExport export, NbdServer.Shared shared) {
        this.export = export;
        this.shared = shared;
        this.commands = new NbdCommands(export, shared.counters());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (!ctx.channel().isActive()) {
            // The client left while GO was being answered: no channelInactive will come to us.
            ending = true;
            release();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NbdMessage.Request r)) {
            ReferenceCountUtil.release(msg);
            LOG.debug("nbd {}: {}", ctx.channel().remoteAddress(), msg);
            ctx.close();
            return;
        }
        if (ending) {
            r.data().release();
            return;
        }
        if (r.type() == CMD_DISC) {
            // proto.md: finish the requests in flight, then close.
            r.data().release();
            ending = true;
            ctx.channel().config().setAutoRead(false);
            ctx.flush(); // the READs answered on the loop before it leave before the close
            finishIfIdle();
            return;
        }
        int error = commands.check(r);
        if (error != 0) {
            r.data().release();
            shared.counters().errors.increment();
            ctx.writeAndFlush(commands.errorReply(ctx.alloc(), r, error, "request refused"));
            return;
        }
        if (r.type() == CMD_READ && r.length() <= INLINE_READ_MAX && !ending) {
            ByteBuf reply = commands.readMapped(ctx.alloc(), r);
            if (reply != null) {
                r.data().release();
                ctx.write(reply, ctx.voidPromise()); // flushed with the others read in this burst
                return;
            }
        }
        long cost = r.type() == CMD_READ || r.type() == CMD_WRITE ? r.length() : 0;
        if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT | inFlightBytes.addAndGet(cost) >= MAX_IN_FLIGHT_BYTES) {
            ctx.channel().config().setAutoRead(false);
        }
        try {
            shared.workers().execute(() -> run(r, cost));
        } catch (RejectedExecutionException e) {
            r.data().release();
            ctx.close();
        }
    }

    private void run(NbdMessage.Request r, long cost) {
        try {
            send(commands.execute(ctx.alloc(), r));
        } catch (RuntimeException e) {
            LOG.warn("nbd request {} failed", r, e);
            send(commands.errorReply(ctx.alloc(), r, EIO, "internal error"));
        } finally {
            r.data().release();
            int left = inFlight.decrementAndGet();
            long bytes = inFlightBytes.addAndGet(-cost);
            if (ending) {
                finishIfIdle();
            } else if (left < MAX_IN_FLIGHT
                    && bytes < MAX_IN_FLIGHT_BYTES
                    && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /** The replies written on the event loop while reading a burst of requests leave in one write. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /** Sends a reply from a worker; Netty hands the write to the event loop. */
    private void send(ByteBuf reply) {
        ctx.writeAndFlush(reply, ctx.voidPromise());
    }

    private void finishIfIdle() {
        if (inFlight.get() == 0) {
            ctx.close();
            release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ending = true;
        finishIfIdle();
        ctx.fireChannelInactive();
    }

    private void release() {
        if (released.compareAndSet(false, true)) {
            export.device().close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("nbd {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
