package org.silo.wire.op;

/**
 * Seed 002's LOGIN and PASSWD (service 0x00), carrying SCRAM-SHA-256 messages (docs/protocol.md §4).
 */
public final class LoginOps {
    private LoginOps() {}

    /** LOGIN: the access list, and SCRAM's client-first-message (empty for an unprotected list). */
    public record Login(String list, String clientFirst) {}

    /** PASSWD: SCRAM's client-final-message, with the proof. */
    public record Passwd(String clientFinal) {}

    /**
     * The answer to either: granted, or (to LOGIN on a protected list) the challenge.
     *
     * @param serverMessage server-first-message (challenge) or server-final-message (proof of the server)
     * @param rights        the rights the session now has, for people to read
     */
    public record Answer(boolean granted, String serverMessage, String rights) {}

    public static final Operation<Login, Answer> LOGIN =
            new Operation<>(SessionOps.LOGIN, "login", Codecs.cbor(Login.class), Codecs.cbor(Answer.class));
    public static final Operation<Passwd, Answer> PASSWD =
            new Operation<>(SessionOps.PASSWD, "passwd", Codecs.cbor(Passwd.class), Codecs.cbor(Answer.class));
}
