package org.silo.control.web;

import java.util.Locale;
import org.silo.control.ControlData;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;

/**
 * Who is asking and what they may do: the address's anonymous rights plus, when the session cookie
 * names a live login, that list's rights (a login adds rights, never takes any away; docs/security.md).
 */
final class ConsoleAccess {
    private final ControlData data;
    private final ConsoleSessions sessions;

    ConsoleAccess(ControlData data, ConsoleSessions sessions) {
        this.data = data;
        this.sessions = sessions;
    }

    /** The caller of one request. */
    record Caller(ConsoleSessions.Session session, Grants anonymous, String address) {

        boolean allows(String service, String object, Right right) {
            return anonymous.allows(service, object, right)
                    || (session != null && session.grants().allows(service, object, right));
        }

        /** The name recorded with changes: the access list, or anonymous and the address. */
        String who() {
            return session != null ? session.list() : "anonymous@" + address;
        }

        /** 401 when not logged in, 403 when the login lacks the right; the message names the right. */
        void require(String service, String object, Right right) throws ApiException {
            if (allows(service, object, right)) {
                return;
            }
            String needed = service + ":" + object + ":" + right.name().toLowerCase(Locale.ROOT);
            if (session == null) {
                throw ApiException.loginNeeded("log in with an access list that grants " + needed);
            }
            throw ApiException.refused("access list '" + session.list() + "' does not grant " + needed);
        }
    }

    /**
     * Refuses a request from this host whose Host header is a name other than localhost: DNS rebinding
     * (a hostile site's name made to resolve to 127.0.0.1) would otherwise give its pages, same-origin,
     * the anonymous rights of loopback. An IP literal cannot be rebound, so it is accepted.
     */
    static void checkHost(ConsoleRequest request) throws ApiException {
        String host = request.header("Host");
        if (host == null || !request.peer().isLoopbackAddress()) {
            return;
        }
        String name = host.startsWith("[") ? host : host.replaceFirst(":\\d*$", "");
        if (!name.equalsIgnoreCase("localhost") && !name.matches("[0-9.]+") && !name.startsWith("[")) {
            throw ApiException.refused("Host " + host + " is not this console: use localhost or an address");
        }
    }

    Caller of(ConsoleRequest request) {
        return new Caller(
                sessions.find(request.cookie(ConsoleSessions.COOKIE)),
                data.anonymous(request.peer()),
                request.peer().getHostAddress());
    }
}
