package org.silo.archive;

import org.silo.archive.ns.NsPath;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.server.CallContext;

/**
 * What the archive's operations check and name before they act: the right a call needs on its object
 * ({@code archive:OBJECT:RIGHT} grants, docs/security.md), the canonical form of the object, and who a
 * call is for.
 */
final class ArchiveRights {
    private ArchiveRights() {}

    /** The object in grants for movers and their conversation: {@code archive:mover::RIGHT}. */
    static final String MOVER = "mover:";

    static long jobId(String id) throws SiloException {
        try {
            return Long.parseLong(id == null ? "" : id.trim());
        } catch (NumberFormatException e) {
            throw SiloException.invalid("a job id is a number, not '" + id + "'");
        }
    }

    static void need(CallContext ctx, String object, Right right) throws SiloException {
        ctx.require(ArchiveService.SERVICE, object, right);
    }

    static String vol(String label) {
        return "vol:" + (label == null ? "" : label);
    }

    /** The canonical path, so a grant on /exp/ cannot be dodged with //exp or /exp/./ (which are refused anyway). */
    static String path(String p) throws SiloException {
        return NsPath.parse(p).toString();
    }

    /**
     * The owner of a new file or directory: the session's ({@link org.silo.wire.server.Session#owner}),
     * whatever the request names; the name given only when there is no session (a call from within the server).
     */
    static String owner(CallContext ctx, String given) {
        return ctx == null || ctx.session() == null ? given : ctx.session().owner();
    }

    static String who(CallContext ctx, String given) {
        if (given != null && !given.isBlank()) {
            return given;
        }
        return ctx == null || ctx.session() == null ? "admin" : ctx.session().who();
    }
}
