package org.silo.wire.server;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;

/**
 * What a handler knows about the call it runs: the session, the request id, the peer, and a scratch map
 * shared by the operations of one message (seed 003: handle type "none" means "the file opened earlier
 * in this message").
 */
public final class CallContext {
    private final Session session;
    private final long requestId;
    private final InetSocketAddress peer;
    private final Map<String, Object> message = new HashMap<>();
    private boolean endSession;

    CallContext(Session session, long requestId, InetSocketAddress peer) {
        this.session = session;
        this.requestId = requestId;
        this.peer = peer;
    }

    public Session session() {
        return session;
    }

    public long requestId() {
        return requestId;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    /** Values shared between the operations of the message being run. */
    public Map<String, Object> message() {
        return message;
    }

    /**
     * Refuses the call unless the session holds the right on the object, with a message that says what
     * is missing: {@code ctx.require("block", name, Right.WRITE)}.
     */
    public void require(String service, String object, Right right) throws SiloException {
        if (!session.grants().allows(service, object, right)) {
            String target = object.isEmpty() ? service : service + ":" + object;
            throw SiloException.of(
                    ErrorCode.PERMISSION,
                    String.format(
                            "refused: needs %s on %s; %s has %s",
                            right.name().toLowerCase(java.util.Locale.ROOT), target, session.who(), session.grants()));
        }
    }

    void endSessionAfterReply() {
        endSession = true;
    }

    boolean endSession() {
        return endSession;
    }
}
