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
 */
final class NbdCommandHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(NbdCommandHandler.class);
  private static final int MAX_IN_FLIGHT = 128;
  private static final long MAX_IN_FLIGHT_BYTES = 128L << 20;

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
    long cost = r.type() == CMD_READ || r.type() == CMD_WRITE ? r.length() : 0;
    if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT
        | inFlightBytes.addAndGet(cost) >= MAX_IN_FLIGHT_BYTES) {
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
      } else if (left < MAX_IN_FLIGHT && bytes < MAX_IN_FLIGHT_BYTES
          && !ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
    }
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
      export.lease().close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("nbd {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
