package org.silo.control.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import org.silo.control.ControlData;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Seed 004's "push/get" for text workers: {@code GET /xfer/TOKEN} streams the source of a copy a text
 * mover was given, {@code PUT /xfer/TOKEN} takes the copy it pushes back, streamed to the server's
 * check and append ({@link ControlData#fetch}, {@link ControlData#deliver}); the token, from the
 * WORK message, is the only right needed (docs/control-protocol.md, "Copies by a text worker"). It
 * sits before the console's aggregator so that a file of any size streams rather than being held in
 * memory; other paths pass on untouched. One transfer per connection: the answer closes it.
 */
final class XferHandler extends ChannelInboundHandlerAdapter {
    static final String PREFIX = "/xfer/";
    private static final int CHUNK = 64 * 1024;
    /** Chunks queued for the reader before the connection stops reading (back-pressure). */
    private static final int HIGH = 16;

    private final ControlData data;
    private final Executor executor;
    private boolean mine;
    private Body body;

    XferHandler(ControlData data, Executor executor) {
        this.data = data;
        this.executor = executor;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            String path = new QueryStringDecoder(req.uri()).path();
            mine = path.startsWith(PREFIX);
            if (!mine) {
                ctx.fireChannelRead(msg);
                return;
            }
            String token = path.substring(PREFIX.length());
            if (req.method().equals(HttpMethod.GET)) {
                executor.execute(() -> get(ctx, token));
            } else if (req.method().equals(HttpMethod.PUT)) {
                if (HttpUtil.is100ContinueExpected(
                        req)) { // curl asks before a large body; the aggregator that would answer is bypassed
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
                body = new Body(ctx.channel());
                Body b = body;
                executor.execute(() -> put(ctx, token, b));
            } else {
                answer(
                        ctx,
                        HttpResponseStatus.METHOD_NOT_ALLOWED,
                        req.method() + " is not allowed on " + PREFIX + "TOKEN: GET or PUT");
            }
            if (msg instanceof HttpContent c) {
                content(c);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (mine && msg instanceof HttpContent c) {
            content(c);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void content(HttpContent c) {
        try {
            if (body != null) {
                body.add(c);
                if (c instanceof LastHttpContent) {
                    body.end();
                    body = null;
                }
            }
        } finally {
            c.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (body != null) {
            body.broken();
        }
        super.channelInactive(ctx);
    }

    private void get(ChannelHandlerContext ctx, String token) {
        ControlData.Fetched f;
        try {
            f = data.fetch(token);
        } catch (SiloException e) {
            answer(ctx, status(e), e.getMessage());
            return;
        }
        try (InputStream in = f.in()) {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, f.length());
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(head);
            byte[] buf = new byte[CHUNK];
            long left = f.length();
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    break;
                }
                left -= r;
                // one chunk in flight at a time: this virtual thread waits, the volume is read no faster than the
                // worker takes it
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, r)))
                        .sync();
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } catch (IOException | RuntimeException e) {
            ctx.close(); // the head is out: a short body is all the worker can be told
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.close();
        }
    }

    private void put(ChannelHandlerContext ctx, String token, Body b) {
        try {
            String stored = data.deliver(token, b);
            b.drain();
            answer(ctx, HttpResponseStatus.OK, stored);
        } catch (SiloException e) {
            b.drain();
            answer(ctx, status(e), e.getMessage());
        }
    }

    private static HttpResponseStatus status(SiloException e) {
        return e.code() == ErrorCode.NOT_FOUND
                ? HttpResponseStatus.NOT_FOUND
                : e.code() == ErrorCode.IO ? HttpResponseStatus.UNPROCESSABLE_ENTITY : HttpResponseStatus.BAD_REQUEST;
    }

    private static void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        DefaultFullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, ConsoleResponse.TEXT);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /** A PUT's body as an InputStream for the blocking reader; the channel stops reading while it lags. */
    private static final class Body extends InputStream {
        private static final byte[] END = new byte[0];
        private static final byte[] BROKEN = new byte[0];
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private final Channel channel;
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        Body(Channel channel) {
            this.channel = channel;
        }

        void add(HttpContent c) {
            int n = c.content().readableBytes();
            if (n > 0) {
                byte[] b = new byte[n];
                c.content().getBytes(c.content().readerIndex(), b);
                chunks.add(b);
                if (chunks.size() >= HIGH) {
                    channel.config().setAutoRead(false);
                }
            }
        }

        void end() {
            chunks.add(END);
        }

        void broken() {
            chunks.add(BROKEN);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == current.length) {
                if (ended) {
                    return -1;
                }
                byte[] next;
                try {
                    next = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (chunks.size() < HIGH / 2 && !channel.config().isAutoRead()) {
                    channel.config().setAutoRead(true);
                }
                if (next == BROKEN) {
                    throw new IOException("the connection closed before the whole body arrived");
                }
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                pos = 0;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Reads what is left, so the answer goes after the whole request (a refused body is not left half read). */
        void drain() {
            try {
                while (read(new byte[CHUNK], 0, CHUNK) >= 0) {
                    // skipped
                }
            } catch (IOException e) {
                // the connection is gone: nothing to answer
            }
        }
    }
}
