package org.silo.wire;

/**
 * The numbers of the Silo message layer, in one place. docs/protocol.md is the full specification.
 *
 * <pre>
 * Frame (one UDP datagram, or one TCP record preceded by its u32 length):
 *  offset size field
 *  0      1    frame version (1)
 *  1      1    flags: REQUEST 0x01, REPLY 0x02, WAIT 0x04, ERROR 0x08, MAC 0x10
 *  2      8    session id (0: none, START only)
 *  10     8    request id
 *  18     8    released: request ids below this are finished at the client (0 in replies)
 *  26     n    body: envelope (request, reply), u32 wait ms (WAIT), u16 code + UTF-8 text (ERROR)
 *  26+n   16   tag, only with MAC: HMAC-SHA256(session key, bytes 0 .. 26+n-1)[0..16)
 *  26+n+t 4    CRC32C of every byte before it
 *
 * Envelope (seed 003): u8 version (1), then until the end: u16 operation code, BER length, data.
 * Result data in a reply envelope: u8 status (0 SUCCESS, 1 FAILURE), then reply data or
 * u16 error code + UTF-8 text.
 *
 * START request data (service 0x00, operation 0x0001):
 *  BER length + cookie (empty the first time)
 *  u64 client id: the client incarnation's id, the same in every session it starts on any server
 *      (0: none; a record of its mutating calls is kept only for a client that sends one)
 *  padding (zeros) up to START_PADDED_SIZE for the first START
 * </pre>
 */
public final class WireConstants {
    private WireConstants() {}

    public static final int FRAME_VERSION = 1;
    public static final int ENVELOPE_VERSION = 1;

    public static final int FLAG_REQUEST = 0x01;
    public static final int FLAG_REPLY = 0x02;
    public static final int FLAG_WAIT = 0x04;
    public static final int FLAG_ERROR = 0x08;
    /** The frame carries a tag: its session has logged in with a password (docs/protocol.md §4). */
    public static final int FLAG_MAC = 0x10;

    public static final int KNOWN_FLAGS = FLAG_REQUEST | FLAG_REPLY | FLAG_WAIT | FLAG_ERROR | FLAG_MAC;
    public static final int TAG_LENGTH = 16;

    public static final int OFFSET_VERSION = 0;
    public static final int OFFSET_FLAGS = 1;
    public static final int OFFSET_SESSION = 2;
    public static final int OFFSET_REQUEST = 10;
    public static final int OFFSET_RELEASED = 18;
    public static final int HEADER_LENGTH = 26;
    public static final int TRAILER_LENGTH = 4;
    public static final int MIN_FRAME = HEADER_LENGTH + TRAILER_LENGTH;

    /** Result status octets (seed 003: success/failure/warning). */
    public static final int STATUS_SUCCESS = 0;

    public static final int STATUS_FAILURE = 1;

    /** Default UDP payload bound: QUIC's 1200 bytes, safe on any 1500-byte path. */
    public static final int DEFAULT_MAX_DATAGRAM = 1200;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65507;

    public static final int DEFAULT_MAX_TCP_FRAME = 64 << 20;

    /** A first START is padded to this size so that the COOKIE answer never exceeds it (RFC 9000 §8). */
    public static final int START_PADDED_SIZE = 256;

    public static final int DEFAULT_PORT = 7400;

    /** Octets of START's client id, after the cookie (docs/protocol.md §4, "Client id"). */
    public static final int CLIENT_ID_SIZE = 8;
}
