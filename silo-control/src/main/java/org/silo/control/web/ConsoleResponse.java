package org.silo.control.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer before it becomes Netty's: status, content type, body, extra headers (Set-Cookie). */
record ConsoleResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    static ConsoleResponse json(Object value) {
        return new ConsoleResponse(HttpResponseStatus.OK, JSON, Json.bytes(value), Map.of());
    }

    static ConsoleResponse text(HttpResponseStatus status, String contentType, String body) {
        return new ConsoleResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static ConsoleResponse error(ApiException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", e.getMessage());
        m.put("code", e.code());
        return new ConsoleResponse(e.status(), JSON, Json.bytes(m), Map.of());
    }

    ConsoleResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ConsoleResponse(status, contentType, body, h);
    }
}
