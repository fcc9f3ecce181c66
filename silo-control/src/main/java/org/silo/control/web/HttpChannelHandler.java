package org.silo.control.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: copies each aggregated request out of Netty's buffers, handles it off the event loop
 * (ControlData may touch a database), and writes the answers in the order the requests came (HTTP/1.1
 * pipelining). A GET of /api/events turns the connection into an event stream.
 */
final class HttpChannelHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpChannelHandler.class);
    static final String EVENTS = "/api/events";

    private final ConsoleRoutes routes;
    private final StatusStream stream;
    private final ConsoleCounters counters;
    private final Executor executor;
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    /** Set once the connection streams events (or is closing): later requests on it are ignored. */
    private boolean streaming;

    HttpChannelHandler(ConsoleRoutes routes, StatusStream stream, ConsoleCounters counters, Executor executor) {
        this.routes = routes;
        this.stream = stream;
        this.counters = counters;
        this.executor = executor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (streaming) {
            return;
        }
        Supplier<ChannelFuture> work;
        if (!request.decoderResult().isSuccess()) {
            work = refuse(
                    ctx, "malformed HTTP request: " + request.decoderResult().cause());
        } else {
            try {
                work = accept(ctx, request);
            } catch (IllegalArgumentException e) {
                work = refuse(ctx, "malformed request URI: " + e.getMessage());
            }
        }
        after(work);
    }

    private Supplier<ChannelFuture> accept(ChannelHandlerContext ctx, FullHttpRequest request) {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        ConsoleRequest r = ConsoleRequest.of(request, peer.getAddress());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = r.method().equals("HEAD");
        streaming = r.method().equals("GET") && r.path().equals(EVENTS);
        return streaming ? () -> subscribe(ctx, r) : () -> write(ctx, routes.handle(r), keepAlive, head);
    }

    /** 400 and close: after a request that does not parse, the connection's framing cannot be trusted. */
    private Supplier<ChannelFuture> refuse(ChannelHandlerContext ctx, String why) {
        streaming = true;
        ConsoleResponse bad = ConsoleResponse.error(ApiException.badRequest(why));
        return () -> write(ctx, bad, false, false);
    }

    /** Runs the work on the executor once every earlier answer of this connection has been written. */
    private void after(Supplier<ChannelFuture> work) {
        try {
            previous = previous.thenComposeAsync(v -> written(work.get()), executor);
        } catch (RejectedExecutionException e) {
            previous = CompletableFuture.completedFuture(null);
        }
    }

    private static CompletableFuture<Void> written(ChannelFuture future) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        future.addListener(f -> done.complete(null));
        return done;
    }

    /** The client sent its last request and half-closed (e.g. {@code nc -N}): answer what it asked, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            streaming = true;
            after(ctx::close);
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    private ChannelFuture subscribe(ChannelHandlerContext ctx, ConsoleRequest request) {
        ConsoleResponse refusal = routes.refuseEvents(request);
        if (refusal != null) {
            return write(ctx, refusal, false, false);
        }
        ChannelFuture subscribed = stream.subscribe(ctx.channel());
        if (subscribed == null) {
            ApiException busy = new ApiException(
                    HttpResponseStatus.SERVICE_UNAVAILABLE, "RESOURCE", "too many event listeners; try again later");
            return write(ctx, ConsoleResponse.error(busy), false, false);
        }
        counters.response(HttpResponseStatus.OK.code());
        return subscribed;
    }

    private ChannelFuture write(ChannelHandlerContext ctx, ConsoleResponse r, boolean keepAlive, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, r.status(), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        response.headers().set("X-Content-Type-Options", "nosniff");
        response.headers().set("X-Frame-Options", "DENY");
        response.headers().set("Referrer-Policy", "no-referrer");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            response.headers().set(h.getKey(), h.getValue());
        }
        response.headers()
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        counters.response(r.status().code());
        ChannelFuture sent = ctx.writeAndFlush(response);
        if (!keepAlive) {
            sent.addListener(ChannelFutureListener.CLOSE);
        }
        return sent;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("console connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
