package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.silo.block.image.Access;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageInfo;
import org.silo.block.image.ImageLease;
import org.silo.block.image.ImageNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed newstyle handshake (proto.md "Option haggling"). On GO or EXPORT_NAME it opens the
 * image and hands the connection to {@link NbdCommandHandler}.
 */
final class NbdHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(NbdHandshakeHandler.class);

  private final NbdServer.Config config;
  private final NbdServer.Shared shared;
  private boolean noZeroes;
  private boolean structured;
  private String metaExport; // export named in SET_META_CONTEXT, null when none selected

  NbdHandshakeHandler(NbdServer.Config config, NbdServer.Shared shared) {
    this.config = config;
    this.shared = shared;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(NbdCodec.greeting(ctx.alloc()));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      switch (msg) {
        case NbdMessage.ClientFlags f -> clientFlags(ctx, f.flags());
        case NbdMessage.Option o -> option(ctx, o);
        case NbdMessage.Fatal f -> close(ctx, f.why());
        default -> close(ctx, "unexpected " + msg.getClass().getSimpleName());
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void clientFlags(ChannelHandlerContext ctx, int flags) {
    if ((flags & ~CLIENT_FLAGS_KNOWN) != 0) {
      close(ctx, "unknown client flags " + Integer.toHexString(flags)); // proto.md: MUST close
      return;
    }
    noZeroes = (flags & FLAG_NO_ZEROES) != 0;
  }

  private void option(ChannelHandlerContext ctx, NbdMessage.Option o) {
    switch (o.code()) {
      case OPT_EXPORT_NAME -> exportName(ctx, o);
      case OPT_ABORT -> ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]))
          .addListener(ChannelFutureListener.CLOSE);
      case OPT_LIST -> list(ctx, o);
      case OPT_INFO, OPT_GO -> infoOrGo(ctx, o);
      case OPT_STRUCTURED_REPLY -> {
        if (o.data().length != 0) {
          error(ctx, o, REP_ERR_INVALID, "STRUCTURED_REPLY takes no data");
        } else {
          structured = true;
          ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
        }
      }
      case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> metaContext(ctx, o);
      default -> error(ctx, o, REP_ERR_UNSUP, "option " + o.code() + " not supported");
    }
  }

  private void list(ChannelHandlerContext ctx, NbdMessage.Option o) {
    if (o.data().length != 0) {
      error(ctx, o, REP_ERR_INVALID, "LIST takes no data");
      return;
    }
    try {
      for (ImageInfo image : config.store().list()) {
        ctx.write(reply(ctx, o, REP_SERVER, NbdCodec.serverEntry(image.name())));
      }
      ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
    } catch (ImageException e) {
      error(ctx, o, REP_ERR_PLATFORM, e.getMessage());
    }
  }

  private void infoOrGo(ChannelHandlerContext ctx, NbdMessage.Option o) {
    NbdCodec.InfoRequest req = NbdCodec.infoRequest(o.data());
    if (req == null) {
      error(ctx, o, REP_ERR_INVALID, "malformed INFO/GO data");
      return;
    }
    String name = exportName(req.name());
    if (name == null) {
      error(ctx, o, REP_ERR_UNKNOWN, "no export named '" + req.name() + "'");
      return;
    }
    if (o.code() == OPT_INFO) {
      try {
        ImageInfo info = config.store().info(name);
        boolean readOnly = info.readOnly() || config.store().hasWriter(name);
        int flags = NbdExport.transmissionFlags(readOnly, structured);
        sendInfo(ctx, o, req, name, info.sizeBytes(), flags);
      } catch (ImageException e) {
        error(ctx, o, REP_ERR_UNKNOWN, e.getMessage());
      }
      return;
    }
    ImageLease lease;
    try {
      lease = open(ctx, name);
    } catch (ImageException e) {
      error(ctx, o, e.reason() == ImageException.Reason.IO ? REP_ERR_PLATFORM : REP_ERR_UNKNOWN,
          e.getMessage());
      return;
    }
    NbdExport export = new NbdExport(lease, structured, name.equals(metaExport));
    sendInfo(ctx, o, req, name, lease.size(), export.transmissionFlags());
    enterTransmission(ctx, export);
  }

  private void sendInfo(ChannelHandlerContext ctx, NbdMessage.Option o, NbdCodec.InfoRequest req,
      String name, long size, int flags) {
    ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoExport(size, flags)));
    if (req.items().contains(INFO_NAME)) {
      ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoName(name)));
    }
    if (req.items().contains(INFO_BLOCK_SIZE)) {
      ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoBlockSize(1, PREFERRED_BLOCK, MAX_PAYLOAD)));
    }
    ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
  }

  private void exportName(ChannelHandlerContext ctx, NbdMessage.Option o) {
    String raw = NbdCodec.utf8(java.nio.ByteBuffer.wrap(o.data()));
    String name = raw == null ? null : exportName(raw);
    try {
      if (name == null) {
        throw new ImageException(ImageException.Reason.NOT_FOUND, "no such export");
      }
      NbdExport export = new NbdExport(open(ctx, name), structured, name.equals(metaExport));
      ctx.writeAndFlush(NbdCodec.exportNameReply(ctx.alloc(), export.lease().size(),
          export.transmissionFlags(), noZeroes));
      enterTransmission(ctx, export);
    } catch (ImageException e) {
      close(ctx, "EXPORT_NAME: " + e.getMessage()); // proto.md: no way to report an error here
    }
  }

  private void metaContext(ChannelHandlerContext ctx, NbdMessage.Option o) {
    NbdCodec.MetaContextRequest req = NbdCodec.metaContextRequest(o.data());
    if (req == null) {
      error(ctx, o, REP_ERR_INVALID, "malformed meta context data");
      return;
    }
    boolean set = o.code() == OPT_SET_META_CONTEXT;
    if (set && !structured) {
      error(ctx, o, REP_ERR_INVALID, "SET_META_CONTEXT needs STRUCTURED_REPLY first");
      return;
    }
    String name = exportName(req.name());
    if (name == null) {
      error(ctx, o, REP_ERR_UNKNOWN, "no export named '" + req.name() + "'");
      return;
    }
    boolean selected = false;
    List<String> queries = req.queries().isEmpty() && !set ? List.of("base:") : req.queries();
    for (String q : queries) {
      boolean match = q.equals(META_BASE_ALLOCATION) || (!set && (q.equals("base:")));
      if (match && !selected) {
        selected = true;
        ctx.write(reply(ctx, o, REP_META_CONTEXT,
            NbdCodec.metaContext(META_ID_BASE_ALLOCATION, META_BASE_ALLOCATION)));
      }
    }
    if (set) {
      metaExport = selected ? name : null;
    }
    ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
  }

  private ImageLease open(ChannelHandlerContext ctx, String name) throws ImageException {
    String holder = "nbd " + ctx.channel().remoteAddress();
    try {
      return config.store().open(name, Access.WRITE, holder);
    } catch (ImageException e) {
      if (e.reason() != ImageException.Reason.READ_ONLY && e.reason() != ImageException.Reason.BUSY) {
        throw e;
      }
      // A read-only image, or one another session writes: serve it read-only (READ_ONLY flag).
      return config.store().open(name, Access.READ, holder);
    }
  }

  private void enterTransmission(ChannelHandlerContext ctx, NbdExport export) {
    ctx.pipeline().get(NbdFrameDecoder.class).enterTransmission();
    ctx.pipeline().replace(this, "nbd-commands", new NbdCommandHandler(export, shared));
  }

  /** The image for an export name; the empty name means the configured default export. */
  private String exportName(String requested) {
    String name = requested.isEmpty() ? config.defaultExport() : requested;
    return name != null && ImageNames.isValid(name) && config.store().exists(name) ? name : null;
  }

  private static io.netty.buffer.ByteBuf reply(ChannelHandlerContext ctx, NbdMessage.Option o,
      int type, byte[] data) {
    return NbdCodec.optionReply(ctx.alloc(), o.code(), type, data);
  }

  private static void error(ChannelHandlerContext ctx, NbdMessage.Option o, int type,
      String message) {
    String m = message.length() > 1024 ? message.substring(0, 1024) : message; // strings <= 4 KiB
    ctx.writeAndFlush(reply(ctx, o, type, m.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static void close(ChannelHandlerContext ctx, String why) {
    LOG.debug("nbd {} closed during handshake: {}", ctx.channel().remoteAddress(), why);
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("nbd handshake {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
