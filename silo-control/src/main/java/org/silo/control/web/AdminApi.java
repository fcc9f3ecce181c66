package org.silo.control.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.silo.control.ControlData;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;

/**
 * Login, logout and the admin actions. Every POST must carry {@code X-Silo: 1}: a page of another site
 * cannot add that header without a CORS preflight, which the console never grants, so a cross-site form
 * or fetch cannot act with the victim's cookie (or with loopback's anonymous rights). An Origin header,
 * when present, must also name this server.
 */
final class AdminApi {
    static final String CSRF_HEADER = "X-Silo";
    static final Set<String> VOLUME_STATES = Set.of("ok", "readonly", "full", "noaccess", "hung");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ControlData data;
    private final ConsoleSessions sessions;
    private final ConsoleCounters counters;

    AdminApi(ControlData data, ConsoleSessions sessions, ConsoleCounters counters) {
        this.data = data;
        this.sessions = sessions;
        this.counters = counters;
    }

    /** Refuses a POST that a script of this console's pages did not send. */
    static void checkCsrf(ConsoleRequest request) throws ApiException {
        if (!"1".equals(request.header(CSRF_HEADER))) {
            throw ApiException.refused("a POST needs the header " + CSRF_HEADER + ": 1 (sent by the console's pages)");
        }
        String origin = request.header("Origin");
        String host = request.header("Host");
        if (origin != null && !origin.equals("null") && host != null && !host.equalsIgnoreCase(authority(origin))) {
            throw ApiException.refused("Origin " + origin + " is not this console (" + host + ")");
        }
    }

    private static String authority(String origin) {
        try {
            return URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    ConsoleResponse login(ConsoleRequest request) throws ApiException {
        JsonNode body = Json.object(request.body());
        String list = Json.text(body, "list", 64);
        char[] password = Json.text(body, "password", 1024).toCharArray();
        if (list.isEmpty()) {
            throw ApiException.badRequest("'list' must not be empty");
        }
        Grants grants;
        try {
            grants = data.login(list, password, request.peer());
        } catch (SiloException e) {
            if (e.code() == ErrorCode.PERMISSION && e.getMessage().startsWith("too many wrong passwords")) {
                counters.login(false);
                throw new ApiException(HttpResponseStatus.TOO_MANY_REQUESTS, "BUSY", e.getMessage());
            }
            if (e.code() == ErrorCode.PERMISSION || e.code() == ErrorCode.NOT_FOUND) {
                counters.login(false);
                throw ApiException.loginNeeded("wrong access list or password");
            }
            throw ApiException.of(e);
        } finally {
            Arrays.fill(password, '\0');
        }
        counters.login(true);
        ConsoleSessions.Session s = sessions.create(list, grants);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loggedIn", true);
        m.put("list", list);
        m.put("grants", grants.toString());
        return ConsoleResponse.json(m)
                .withHeader("Set-Cookie", sessionCookie(s.id(), sessions.idle().toSeconds()));
    }

    ConsoleResponse logout(ConsoleRequest request) {
        sessions.remove(request.cookie(ConsoleSessions.COOKIE));
        return ConsoleResponse.json(Map.of("loggedIn", false)).withHeader("Set-Cookie", sessionCookie("", 0));
    }

    /** HttpOnly (scripts cannot read it), SameSite=Strict (other sites' requests do not carry it). */
    private static String sessionCookie(String value, long maxAgeSeconds) {
        DefaultCookie cookie = new DefaultCookie(ConsoleSessions.COOKIE, value);
        cookie.setHttpOnly(true);
        cookie.setPath("/");
        cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
        cookie.setMaxAge(maxAgeSeconds);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    Map<String, Object> volumeState(ConsoleRequest request, ConsoleAccess.Caller caller, String label)
            throws ApiException, SiloException {
        if (!LABEL.matcher(label).matches()) {
            throw ApiException.badRequest("a volume label is 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        JsonNode body = Json.object(request.body());
        String state = Json.text(body, "state", 16);
        String reason = body.has("reason") ? Json.text(body, "reason", 200) : "";
        if (!VOLUME_STATES.contains(state)) {
            throw ApiException.badRequest("state must be one of ok, readonly, full, noaccess, hung");
        }
        caller.require("archive", "vol:" + label, Right.ADMIN);
        data.setVolumeState(label, state, reason, caller.who());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("state", state);
        m.put("stateReason", reason);
        m.put("stateBy", caller.who());
        return m;
    }

    /** kill (cancel a queued or running request) or priority ({"priority": N} or null to go back to aging): admin on the archive. */
    Map<String, Object> job(ConsoleRequest request, ConsoleAccess.Caller caller, String jobId, String action)
            throws ApiException, SiloException {
        if (!jobId.matches("[0-9]{1,18}")) {
            throw ApiException.badRequest("a job id is a number, not '" + jobId + "'");
        }
        long id = Long.parseLong(jobId);
        caller.require("archive", "", Right.ADMIN);
        if (action.equals("kill")) {
            return data.killJob(id, caller.who());
        }
        JsonNode body = Json.object(request.body());
        JsonNode p = body.get("priority");
        if (p != null && !p.isNull() && (!p.canConvertToInt() || !p.isIntegralNumber())) {
            throw ApiException.badRequest("priority must be a whole number, or null to go back to aging");
        }
        return data.setJobPriority(id, p == null || p.isNull() ? null : p.intValue(), caller.who());
    }

    /** An operator's answer to a mount a manual changer waits for: admin on movers. */
    Map<String, Object> mount(ConsoleRequest request, ConsoleAccess.Caller caller, String volume, boolean ok)
            throws ApiException, SiloException {
        if (!LABEL.matcher(volume).matches()) {
            throw ApiException.badRequest("a volume label is 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        caller.require("archive", "mover:", Right.ADMIN);
        JsonNode body = Json.object(request.body());
        String reason = body.has("reason") ? Json.text(body, "reason", 200) : "";
        return data.answerMount(volume, ok, reason, caller.who());
    }

    /** A mover's friendly name ({"name": NAME}): admin on movers. */
    Map<String, Object> moverName(ConsoleRequest request, ConsoleAccess.Caller caller, String mover)
            throws ApiException, SiloException {
        if (!LABEL.matcher(mover).matches()) {
            throw ApiException.badRequest("a mover is named by its id or name: 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        String name = Json.text(Json.object(request.body()), "name", 64);
        if (!LABEL.matcher(name).matches()) {
            throw ApiException.badRequest("a mover's name is 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        caller.require("archive", "mover:", Right.ADMIN);
        return data.renameMover(mover, name, caller.who());
    }
}
