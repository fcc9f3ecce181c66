package org.silo.control.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * /api/events: server-sent events (HTML Living Standard §9.2). Every second, while anyone listens, the
 * status JSON is computed once and sent to every listener as {@code event: status}; a new listener gets
 * one at once. Listeners are capped; a closed connection leaves the group by itself.
 */
final class StatusStream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusStream.class);

    private final ChannelGroup listeners = new DefaultChannelGroup("console-events", GlobalEventExecutor.INSTANCE);
    private final ScheduledExecutorService timer;
    private final Supplier<Object> status;
    private final int maxListeners;

    StatusStream(Supplier<Object> status, long periodMillis, int maxListeners) {
        this.status = status;
        this.maxListeners = maxListeners;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-events");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::broadcast, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    int listeners() {
        return listeners.size();
    }

    /** Answers the request with the event stream and adds the channel; null when there are too many. */
    ChannelFuture subscribe(Channel channel) {
        if (listeners.size() >= maxListeners) {
            return null;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        head.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setTransferEncodingChunked(head, true);
        channel.write(head);
        ChannelFuture first = channel.writeAndFlush(new DefaultHttpContent(event("retry: 2000\n" + statusEvent())))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        listeners.add(channel);
        return first;
    }

    private void broadcast() {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            ByteBuf buf = event(statusEvent());
            // A listener that does not read is skipped rather than buffered for; it is closed when idle.
            listeners.writeAndFlush(new DefaultHttpContent(buf), Channel::isWritable);
        } catch (RuntimeException e) {
            log.warn("console: cannot send the status event", e);
        }
    }

    private String statusEvent() {
        return "event: status\ndata: " + new String(Json.bytes(status.get()), StandardCharsets.UTF_8) + "\n\n";
    }

    private static ByteBuf event(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        listeners.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
