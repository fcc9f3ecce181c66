package org.silo.wire.codec;

import static org.silo.wire.WireConstants.*;

import java.util.Objects;

/**
 * One frame of the message layer, decoded: the header fields and the body still in bytes.
 *
 * @param flags     REQUEST, REPLY, WAIT, ERROR bits ({@link org.silo.wire.WireConstants})
 * @param session   session id, 0 for none
 * @param requestId the client's id for the request this frame is or answers
 * @param released  in requests, every id below this one is finished at the client; 0 in replies
 * @param body      envelope, wait time or error, by the flags
 * @param tag       the MAC tag when the MAC flag is set, else empty
 */
public record Frame(int flags, long session, long requestId, long released, byte[] body, byte[] tag) {

    private static final byte[] NO_TAG = new byte[0];

    public Frame {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(tag, "tag");
        if (((flags & FLAG_MAC) != 0) != (tag.length == TAG_LENGTH)) {
            throw new IllegalArgumentException("the MAC flag and a " + TAG_LENGTH + "-byte tag go together");
        }
    }

    public Frame(int flags, long session, long requestId, long released, byte[] body) {
        this(flags & ~FLAG_MAC, session, requestId, released, body, NO_TAG);
    }

    public boolean isSigned() {
        return (flags & FLAG_MAC) != 0;
    }

    /** The same frame with this tag (and the MAC flag). */
    public Frame withTag(byte[] t) {
        return new Frame(flags | FLAG_MAC, session, requestId, released, body, t);
    }

    public boolean isRequest() {
        return (flags & FLAG_REQUEST) != 0;
    }

    public boolean isReply() {
        return (flags & FLAG_REPLY) != 0;
    }

    public boolean isWait() {
        return (flags & FLAG_WAIT) != 0;
    }

    public boolean isError() {
        return (flags & FLAG_ERROR) != 0;
    }

    /** The encoded size of this frame. */
    public int encodedSize() {
        return MIN_FRAME + body.length + tag.length;
    }

    public static Frame request(long session, long requestId, long released, byte[] envelope) {
        return new Frame(FLAG_REQUEST, session, requestId, released, envelope);
    }

    public static Frame reply(long session, long requestId, byte[] envelope) {
        return new Frame(FLAG_REPLY, session, requestId, 0, envelope);
    }
}
