package org.silo.wire.auth;

/** What a session may do to an object; each right includes the ones before it. */
public enum Right {
    READ,
    WRITE,
    ADMIN;

    public boolean includes(Right other) {
        return compareTo(other) >= 0;
    }
}
