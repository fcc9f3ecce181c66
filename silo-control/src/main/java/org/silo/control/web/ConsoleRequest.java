package org.silo.control.web;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the routes see it: no Netty buffers (the body is copied), so it can be handled
 * off the event loop after the Netty message is released.
 */
record ConsoleRequest(
        String method,
        String path,
        Map<String, List<String>> query,
        HttpHeaders headers,
        byte[] body,
        InetAddress peer) {

    static ConsoleRequest of(FullHttpRequest request, InetAddress peer) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        byte[] body = new byte[request.content().readableBytes()];
        request.content().getBytes(request.content().readerIndex(), body);
        return new ConsoleRequest(
                request.method().name(),
                uri.path(),
                uri.parameters(),
                request.headers().copy(),
                body,
                peer);
    }

    /** A query parameter's first value, or null. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A cookie's value, or null. */
    String cookie(String name) {
        String header = headers.get("Cookie");
        if (header == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
            if (c.name().equals(name)) {
                return c.value();
            }
        }
        return null;
    }

    String header(String name) {
        return headers.get(name);
    }
}
