package org.silo.control.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.silo.control.ControlData;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Method and path to handler. Every failure becomes a JSON error with its status; only a bug in the
 * console or the server (an unexpected exception) answers 500, and it is logged.
 */
final class ConsoleRoutes {
    private static final Logger log = LoggerFactory.getLogger(ConsoleRoutes.class);
    static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Set<String> GETS = Set.of(
            "/healthz",
            "/metrics",
            "/api/status",
            "/api/volumes",
            "/api/files",
            "/api/images",
            "/api/whatis",
            "/api/session",
            "/api/events",
            "/api/movers",
            "/api/jobs",
            "/api/mounts",
            "/api/leases",
            "/api/throughput",
            "/api/workers");
    private static final Set<String> POSTS = Set.of("/api/login", "/api/logout");
    /**
     * Admin actions on one object: /api/volumes/LABEL/state, /api/jobs/ID/kill|priority,
     * /api/mounts/VOLUME/confirm|refuse, /api/movers/MOVER/name.
     */
    private static final Pattern ACTION = Pattern.compile(
            "/api/(?:(volumes)/(.+)/state|(jobs)/(.+)/(kill|priority)|(mounts)/(.+)/(confirm|refuse)|(movers)/(.+)/name)");

    private final ControlData data;
    private final ConsoleAccess access;
    private final ReadApi read;
    private final AdminApi admin;
    private final StaticAssets assets = new StaticAssets();
    private final ConsoleCounters counters;

    ConsoleRoutes(
            ControlData data,
            ConsoleSessions sessions,
            ConsoleCounters counters,
            Clock clock,
            ThroughputHistory history) {
        this.data = data;
        this.counters = counters;
        this.access = new ConsoleAccess(data, sessions);
        this.read = new ReadApi(data, clock, history);
        this.admin = new AdminApi(data, sessions, counters);
    }

    ReadApi read() {
        return read;
    }

    ConsoleResponse handle(ConsoleRequest request) {
        try {
            return route(request);
        } catch (ApiException e) {
            return ConsoleResponse.error(e);
        } catch (SiloException e) {
            return ConsoleResponse.error(ApiException.of(e));
        } catch (RuntimeException e) {
            log.error("console: {} {} failed", request.method(), request.path(), e);
            return ConsoleResponse.error(
                    new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "internal error: " + e));
        }
    }

    private ConsoleResponse route(ConsoleRequest request) throws ApiException, SiloException {
        ConsoleAccess.checkHost(request);
        String path = request.path();
        boolean isStateChange = ACTION.matcher(path).matches();
        switch (request.method()) {
            case "GET", "HEAD" -> {
                if (GETS.contains(path)) {
                    return get(request);
                }
                ConsoleResponse asset = assets.find(path);
                if (asset != null) {
                    return asset;
                }
                if (POSTS.contains(path) || isStateChange) {
                    throw methodNotAllowed(request);
                }
            }
            case "POST" -> {
                if (POSTS.contains(path) || isStateChange) {
                    AdminApi.checkCsrf(request);
                    return post(request, isStateChange);
                }
                if (GETS.contains(path) || StaticAssets.isPage(path)) {
                    throw methodNotAllowed(request);
                }
            }
            default -> {
                if (GETS.contains(path) || POSTS.contains(path) || isStateChange || StaticAssets.isPage(path)) {
                    throw methodNotAllowed(request);
                }
            }
        }
        throw ApiException.notFound("no route " + path);
    }

    private static ApiException methodNotAllowed(ConsoleRequest request) {
        return new ApiException(
                HttpResponseStatus.METHOD_NOT_ALLOWED,
                "INVALID",
                request.method() + " is not allowed on " + request.path());
    }

    private ConsoleResponse get(ConsoleRequest request) throws ApiException, SiloException {
        ConsoleAccess.Caller caller = access.of(request);
        return switch (request.path()) {
            case "/healthz" -> ConsoleResponse.text(HttpResponseStatus.OK, ConsoleResponse.TEXT, "ok");
            case "/metrics" -> ConsoleResponse.text(HttpResponseStatus.OK, METRICS_TYPE, metrics());
            case "/api/status" -> {
                caller.require("core", "", Right.READ);
                yield ConsoleResponse.json(read.status());
            }
            case "/api/throughput" -> {
                caller.require("core", "", Right.READ); // the same counters as /api/status
                yield ConsoleResponse.json(read.throughput());
            }
            case "/api/volumes" -> ConsoleResponse.json(read.volumes(caller));
            case "/api/files" ->
                ConsoleResponse.json(
                        read.files(caller, request.param("path"), request.param("after"), request.param("limit")));
            case "/api/images" -> ConsoleResponse.json(read.images(caller));
            case "/api/movers" -> ConsoleResponse.json(read.movers(caller));
            case "/api/workers" -> {
                caller.require("control", "", Right.READ);
                yield ConsoleResponse.json(java.util.Map.of("workers", data.workers()));
            }
            case "/api/jobs" -> ConsoleResponse.json(read.jobs(caller));
            case "/api/mounts" -> ConsoleResponse.json(read.mounts(caller));
            case "/api/leases" -> ConsoleResponse.json(read.leases(caller));
            case "/api/whatis" ->
                ConsoleResponse.json(read.whatis(caller, request.param("kind"), request.param("name")));
            case "/api/session" -> ConsoleResponse.json(ReadApi.session(caller));
            default -> throw ApiException.badRequest("/api/events is a server-sent event stream: GET it");
        };
    }

    /**
     * Null when the caller may listen to /api/events (read on core, as STATUS needs on the message
     * layer), else the refusal to send instead.
     */
    ConsoleResponse refuseEvents(ConsoleRequest request) {
        try {
            ConsoleAccess.checkHost(request);
            access.of(request).require("core", "", Right.READ);
            return null;
        } catch (ApiException e) {
            return ConsoleResponse.error(e);
        }
    }

    /** The server's meters, then the console's own, each ending in a newline as the format wants. */
    private String metrics() {
        String server = data.metrics();
        return (server.isEmpty() || server.endsWith("\n") ? server : server + "\n") + counters.prometheus();
    }

    private ConsoleResponse post(ConsoleRequest request, boolean isStateChange) throws ApiException, SiloException {
        if (isStateChange) {
            Matcher m = ACTION.matcher(request.path());
            m.matches();
            ConsoleAccess.Caller caller = access.of(request);
            if (m.group(1) != null) {
                return ConsoleResponse.json(admin.volumeState(request, caller, m.group(2)));
            }
            if (m.group(3) != null) {
                return ConsoleResponse.json(admin.job(request, caller, m.group(4), m.group(5)));
            }
            if (m.group(6) != null) {
                return ConsoleResponse.json(
                        admin.mount(request, caller, m.group(7), m.group(8).equals("confirm")));
            }
            return ConsoleResponse.json(admin.moverName(request, caller, m.group(10)));
        }
        return switch (request.path()) {
            case "/api/login" -> admin.login(request);
            default -> admin.logout(request);
        };
    }
}
