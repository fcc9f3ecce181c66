package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.silo.block.image.Access;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageInfo;
import org.silo.block.image.ImageNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed newstyle handshake (proto.md "Option haggling"). On GO or EXPORT_NAME it opens the
 * export and hands the connection to {@link NbdCommandHandler}. An export name is the image of that
 * name when there is one the client may see; any other name is asked of the server's {@link
 * MoreExports}, whose exports are always served read-only.
 */
final class NbdHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NbdHandshakeHandler.class);

    private final NbdServer.Config config;
    private final NbdServer.Shared shared;
    private boolean noZeroes;
    private boolean structured;
    private String metaExport; // export named in SET_META_CONTEXT, null when none selected
    private boolean tls; // STARTTLS done: everything since then is inside TLS

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
        if (config.requireTls() && !tls && o.code() != OPT_STARTTLS && o.code() != OPT_ABORT) {
            // proto.md "TLS support", FORCEDTLS: ERR_TLS_REQD to every other option; EXPORT_NAME
            // cannot carry an error, so the server closes instead.
            if (o.code() == OPT_EXPORT_NAME) {
                close(ctx, "EXPORT_NAME before STARTTLS, TLS is required");
            } else {
                error(ctx, o, REP_ERR_TLS_REQD, "TLS is required: send NBD_OPT_STARTTLS first");
            }
            return;
        }
        switch (o.code()) {
            case OPT_EXPORT_NAME -> exportName(ctx, o);
            case OPT_ABORT ->
                ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0])).addListener(ChannelFutureListener.CLOSE);
            case OPT_LIST -> list(ctx, o);
            case OPT_STARTTLS -> startTls(ctx, o);
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

    /**
     * proto.md NBD_OPT_STARTTLS: ACK in clear, then TLS on the same connection, and option haggling
     * goes on inside it. The SslHandler goes first in the pipeline with {@code startTls} set, so the
     * ACK written after it still leaves unencrypted.
     */
    private void startTls(ChannelHandlerContext ctx, NbdMessage.Option o) {
        if (config.tls() == null) {
            error(ctx, o, REP_ERR_UNSUP, "TLS is not configured on this server");
        } else if (tls) {
            error(ctx, o, REP_ERR_INVALID, "TLS is already active"); // proto.md: SHOULD be INVALID
        } else if (o.data().length != 0) {
            error(ctx, o, REP_ERR_INVALID, "STARTTLS takes no data");
        } else if (ctx.pipeline().get(NbdFrameDecoder.class).buffered() > 0) {
            // Bytes sent after STARTTLS but before the handshake would be read as if they had come
            // through TLS: the plaintext injection of CVE-2011-0411. A client must wait for the ACK.
            close(ctx, "data after STARTTLS before the TLS handshake");
        } else {
            ctx.pipeline().addFirst("tls", new SslHandler(config.tls().newEngine(ctx.alloc()), true));
            ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
            tls = true;
            // proto.md: options negotiated before STARTTLS must be negotiated again inside TLS.
            structured = false;
            metaExport = null;
        }
    }

    private void list(ChannelHandlerContext ctx, NbdMessage.Option o) {
        if (o.data().length != 0) {
            error(ctx, o, REP_ERR_INVALID, "LIST takes no data");
            return;
        }
        try {
            Set<String> listed = new HashSet<>();
            for (ImageInfo image : config.store().list()) {
                if (!image.policy().admits(client(ctx))) {
                    continue; // a client the policy does not list never learns the export exists
                }
                listed.add(image.name());
                ctx.write(reply(ctx, o, REP_SERVER, NbdCodec.serverEntry(image.name())));
            }
            for (MoreExports.Listed more : shared.moreExports().get().list(client(ctx))) {
                if (listed.add(more.name())) { // an image of the same name is the export
                    ctx.write(reply(ctx, o, REP_SERVER, NbdCodec.serverEntry(more.name(), more.description())));
                }
            }
            ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
        } catch (ImageException | IOException e) {
            error(ctx, o, REP_ERR_PLATFORM, String.valueOf(e.getMessage()));
        }
    }

    private void infoOrGo(ChannelHandlerContext ctx, NbdMessage.Option o) {
        NbdCodec.InfoRequest req = NbdCodec.infoRequest(o.data());
        if (req == null) {
            error(ctx, o, REP_ERR_INVALID, "malformed INFO/GO data");
            return;
        }
        String name = exportName(ctx, req.name());
        if (name == null) {
            moreInfoOrGo(ctx, o, req);
            return;
        }
        if (o.code() == OPT_INFO) {
            try {
                ImageInfo info = config.store().info(name);
                boolean readOnly = info.readOnly()
                        || !info.policy().allowsWrite()
                        || config.store().hasWriter(name);
                int flags = NbdExport.transmissionFlags(readOnly, structured);
                sendInfo(ctx, o, req, name, info.sizeBytes(), flags, null);
            } catch (ImageException e) {
                error(ctx, o, REP_ERR_UNKNOWN, e.getMessage());
            }
            return;
        }
        BlockDevice lease;
        try {
            lease = open(ctx, name);
        } catch (ImageException e) {
            error(ctx, o, e.reason() == ImageException.Reason.IO ? REP_ERR_PLATFORM : REP_ERR_UNKNOWN, e.getMessage());
            return;
        }
        NbdExport export = new NbdExport(lease, structured, name.equals(metaExport));
        sendInfo(ctx, o, req, name, lease.size(), export.transmissionFlags(), null);
        enterTransmission(ctx, export);
    }

    /**
     * INFO or GO for a name that is no image the client may see: a {@link MoreExports} export, or
     * ERR_UNKNOWN with the words a missing image gets. INFO opens the device only for its size.
     */
    private void moreInfoOrGo(ChannelHandlerContext ctx, NbdMessage.Option o, NbdCodec.InfoRequest req) {
        String name = req.name().isEmpty() ? config.defaultExport() : req.name();
        BlockDevice device;
        try {
            device = openMore(ctx, name);
        } catch (IOException e) {
            error(ctx, o, REP_ERR_PLATFORM, String.valueOf(e.getMessage()));
            return;
        }
        if (device == null) {
            error(ctx, o, REP_ERR_UNKNOWN, "no export named '" + req.name() + "'");
            return;
        }
        String description = req.items().contains(INFO_DESCRIPTION) ? moreDescription(ctx, name) : null;
        if (o.code() == OPT_INFO) {
            try {
                sendInfo(ctx, o, req, name, device.size(), NbdExport.transmissionFlags(true, structured), description);
            } finally {
                device.close();
            }
            return;
        }
        NbdExport export = new NbdExport(device, true, structured, name.equals(metaExport));
        sendInfo(ctx, o, req, name, device.size(), export.transmissionFlags(), description);
        enterTransmission(ctx, export);
    }

    private void sendInfo(
            ChannelHandlerContext ctx,
            NbdMessage.Option o,
            NbdCodec.InfoRequest req,
            String name,
            long size,
            int flags,
            String description) {
        ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoExport(size, flags)));
        if (req.items().contains(INFO_NAME)) {
            ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoName(name)));
        }
        if (description != null && !description.isEmpty()) { // only asked for when wanted
            ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoDescription(description)));
        }
        if (req.items().contains(INFO_BLOCK_SIZE)) {
            ctx.write(reply(ctx, o, REP_INFO, NbdCodec.infoBlockSize(1, PREFERRED_BLOCK, MAX_PAYLOAD)));
        }
        ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
    }

    private void exportName(ChannelHandlerContext ctx, NbdMessage.Option o) {
        String raw = NbdCodec.utf8(java.nio.ByteBuffer.wrap(o.data()));
        String name = raw == null ? null : exportName(ctx, raw);
        try {
            NbdExport export;
            if (name != null) {
                export = new NbdExport(open(ctx, name), structured, name.equals(metaExport));
            } else {
                String more = raw == null ? null : raw.isEmpty() ? config.defaultExport() : raw;
                BlockDevice device = openMore(ctx, more);
                if (device == null) {
                    throw new ImageException(ImageException.Reason.NOT_FOUND, "no such export");
                }
                export = new NbdExport(device, true, structured, more.equals(metaExport));
            }
            ctx.writeAndFlush(NbdCodec.exportNameReply(
                    ctx.alloc(), export.device().size(), export.transmissionFlags(), noZeroes));
            enterTransmission(ctx, export);
        } catch (ImageException | IOException e) {
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
        String name = exportName(ctx, req.name());
        if (name == null) {
            // Not an image: a MoreExports export, if opening it finds one (it is closed again).
            name = req.name().isEmpty() ? config.defaultExport() : req.name();
            try (BlockDevice device = openMore(ctx, name)) {
                if (device == null) {
                    error(ctx, o, REP_ERR_UNKNOWN, "no export named '" + req.name() + "'");
                    return;
                }
            } catch (IOException e) {
                error(ctx, o, REP_ERR_PLATFORM, String.valueOf(e.getMessage()));
                return;
            }
        }
        boolean selected = false;
        List<String> queries = req.queries().isEmpty() && !set ? List.of("base:") : req.queries();
        for (String q : queries) {
            boolean match = q.equals(META_BASE_ALLOCATION) || (!set && (q.equals("base:")));
            if (match && !selected) {
                selected = true;
                ctx.write(reply(
                        ctx, o, REP_META_CONTEXT, NbdCodec.metaContext(META_ID_BASE_ALLOCATION, META_BASE_ALLOCATION)));
            }
        }
        if (set) {
            metaExport = selected ? name : null;
        }
        ctx.writeAndFlush(reply(ctx, o, REP_ACK, new byte[0]));
    }

    /** Who holds what this connection opens, as {@code disk ls} shows it. */
    private String holder(ChannelHandlerContext ctx) {
        return (tls ? "nbd+tls " : "nbd ") + ctx.channel().remoteAddress();
    }

    /** A {@link MoreExports} export opened read-only for this client, or null when it has none of that name. */
    private BlockDevice openMore(ChannelHandlerContext ctx, String name) throws IOException {
        if (name == null || name.isEmpty()) {
            return null;
        }
        return shared.moreExports().get().open(name, holder(ctx), client(ctx));
    }

    /** The description of a {@link MoreExports} export, or null; optional, so a failure only leaves it out. */
    private String moreDescription(ChannelHandlerContext ctx, String name) {
        try {
            return shared.moreExports().get().description(name, client(ctx));
        } catch (IOException e) {
            LOG.debug("nbd description of {}: {}", name, e.toString());
            return null;
        }
    }

    private BlockDevice open(ChannelHandlerContext ctx, String name) throws ImageException {
        String holder = holder(ctx);
        try {
            return config.store().open(name, Access.WRITE, holder, client(ctx));
        } catch (ImageException e) {
            if (e.reason() != ImageException.Reason.READ_ONLY && e.reason() != ImageException.Reason.BUSY) {
                throw e;
            }
            // A read-only image or policy, or one another session writes: serve it read-only.
            return config.store().open(name, Access.READ, holder, client(ctx));
        }
    }

    private void enterTransmission(ChannelHandlerContext ctx, NbdExport export) {
        ctx.pipeline().get(NbdFrameDecoder.class).enterTransmission();
        ctx.pipeline().replace(this, "nbd-commands", new NbdCommandHandler(export, shared));
    }

    /**
     * The image for an export name; the empty name means the configured default export. Null when
     * there is none, or when its policy does not list the client: both get ERR_UNKNOWN alike.
     */
    private String exportName(ChannelHandlerContext ctx, String requested) {
        String name = requested.isEmpty() ? config.defaultExport() : requested;
        return name != null
                        && ImageNames.isValid(name)
                        && config.store().exists(name)
                        && config.store().admits(name, client(ctx))
                ? name
                : null;
    }

    private static InetAddress client(ChannelHandlerContext ctx) {
        return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    }

    private static io.netty.buffer.ByteBuf reply(
            ChannelHandlerContext ctx, NbdMessage.Option o, int type, byte[] data) {
        return NbdCodec.optionReply(ctx.alloc(), o.code(), type, data);
    }

    private static void error(ChannelHandlerContext ctx, NbdMessage.Option o, int type, String message) {
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
