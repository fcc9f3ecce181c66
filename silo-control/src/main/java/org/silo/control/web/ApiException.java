package org.silo.control.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** A refusal the console answers as JSON {@code {error, code}} with an HTTP status. */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient HttpResponseStatus status;
    private final String code;

    ApiException(HttpResponseStatus status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, "INVALID", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", message);
    }

    static ApiException loginNeeded(String message) {
        return new ApiException(HttpResponseStatus.UNAUTHORIZED, "LOGIN_NEEDED", message);
    }

    static ApiException refused(String message) {
        return new ApiException(HttpResponseStatus.FORBIDDEN, "PERMISSION", message);
    }

    /** The server's refusal, with the HTTP status that says the same thing. */
    static ApiException of(SiloException e) {
        return new ApiException(statusOf(e.code()), e.code().name(), e.getMessage());
    }

    static HttpResponseStatus statusOf(ErrorCode code) {
        return switch (code) {
            case MALFORMED, INVALID, TOO_BIG -> HttpResponseStatus.BAD_REQUEST;
            case PERMISSION -> HttpResponseStatus.FORBIDDEN;
            case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case EXISTS, BUSY, READ_ONLY, NO_SPACE -> HttpResponseStatus.CONFLICT;
            case RESOURCE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case TIMEDOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
            default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
