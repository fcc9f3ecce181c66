package org.silo.wire.op;

import org.silo.wire.SiloException;
import org.silo.wire.WireConstants;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;

/**
 * Service 0x00: the session operations of seed 002 (Bolt), by the seed's own names: START
 * ({@code ACTION_NETWORK_START}, with seed 002's {@code ACTION_NETWORK_ESTABLISH} folded in), SNAME
 * ({@code ACTION_NETWORK_SNAME}), NIL ({@code ACTION_NIL}, answered {@code ACTION_NOT_KNOWN}), END
 * ({@code ACTION_NETWORK_END}; the seed's obsolete {@code ACTION_NETWORK_TERM} is not given a code), and
 * LOGIN and PASSWD ({@code ACTION_NETWORK_LOGIN}, {@code ACTION_NETWORK_PASSWD}), whose SCRAM exchange
 * is {@link LoginOps}. The seed's {@code ACTION_NETWORK_DISOLVE} is not an operation but an error code
 * ({@link org.silo.wire.ErrorCode#DISOLVE}). The endpoint handles START, SNAME, NIL and END itself;
 * docs/protocol.md §4 has the layouts.
 */
public final class SessionOps {
    private SessionOps() {}

    /** {@code ACTION_NETWORK_START}: a new session, after a cookie round trip. */
    public static final int START = 0x0001;
    /** {@code ACTION_NETWORK_SNAME}: the client's name for the session. */
    public static final int SNAME = 0x0002;
    /** {@code ACTION_NIL}: "are you still there", answered at once. */
    public static final int NIL = 0x0003;
    /** {@code ACTION_NOT_KNOWN}: NIL's answer. */
    public static final int NOT_KNOWN = 0x0004;
    /** {@code ACTION_NETWORK_END}: the session ends. */
    public static final int END = 0x0005;
    /** {@code ACTION_NETWORK_LOGIN}: the first SCRAM-SHA-256 message ({@link LoginOps#LOGIN}). */
    public static final int LOGIN = 0x0006;
    /** {@code ACTION_NETWORK_PASSWD}: SCRAM's client-final-message, with the proof ({@link LoginOps#PASSWD}). */
    public static final int PASSWD = 0x0007;

    /**
     * START's request: the cookie (empty the first time), then the client's incarnation id (docs/protocol.md
     * §4, "Client id"; 0: none, which is what the zero padding of a client that sends none reads as). Any
     * padding after it is ignored.
     */
    public record StartRequest(byte[] cookie, long clientId) {
        public StartRequest(byte[] cookie) {
            this(cookie, 0);
        }
    }

    /** START's reply: a cookie to echo, or the new session. */
    public sealed interface StartReply {
        record Cookie(byte[] cookie) implements StartReply {}

        record Session(long sessionId, long idleTimeoutMillis, int maxDatagram) implements StartReply {}
    }

    private static final int KIND_COOKIE = 1;
    private static final int KIND_SESSION = 2;

    public static final Codec<StartRequest> START_REQUEST = new Codec<>() {
        @Override
        public void encode(StartRequest value, WireWriter out) {
            out.lengthPrefixed(value.cookie()).u64(value.clientId());
        }

        @Override
        public StartRequest decode(WireReader in) throws SiloException {
            byte[] cookie = in.lengthPrefixed();
            byte[] rest = in.rest(); // client id, then padding (docs/protocol.md §4: the first START is padded)
            long clientId = 0;
            if (rest.length >= WireConstants.CLIENT_ID_SIZE) {
                clientId = java.nio.ByteBuffer.wrap(rest, 0, WireConstants.CLIENT_ID_SIZE)
                        .getLong();
            }
            return new StartRequest(cookie, clientId);
        }
    };

    public static final Codec<StartReply> START_REPLY = new Codec<>() {
        @Override
        public void encode(StartReply value, WireWriter out) {
            switch (value) {
                case StartReply.Cookie c -> out.u8(KIND_COOKIE).lengthPrefixed(c.cookie());
                case StartReply.Session s ->
                    out.u8(KIND_SESSION)
                            .u64(s.sessionId())
                            .u32(s.idleTimeoutMillis())
                            .u32(s.maxDatagram());
            }
        }

        @Override
        public StartReply decode(WireReader in) throws SiloException {
            int kind = in.u8();
            StartReply reply = switch (kind) {
                case KIND_COOKIE -> new StartReply.Cookie(in.lengthPrefixed());
                case KIND_SESSION -> new StartReply.Session(in.u64(), in.u32(), (int) in.u32());
                default -> throw SiloException.malformed("unknown START reply kind " + kind);
            };
            in.expectEnd("START reply");
            return reply;
        }
    };

    public static final Operation<StartRequest, StartReply> START_OP =
            new Operation<>(START, "start", START_REQUEST, START_REPLY);
    public static final Operation<String, Void> SNAME_OP = new Operation<>(SNAME, "sname", Codecs.UTF8, Codecs.EMPTY);
    public static final Operation<Void, Void> NIL_OP = new Operation<>(NIL, "nil", Codecs.EMPTY, Codecs.EMPTY);
    public static final Operation<Void, Void> END_OP = new Operation<>(END, "end", Codecs.EMPTY, Codecs.EMPTY);
}
