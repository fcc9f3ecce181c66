package org.silo.block.blockhead;

/**
 * Blockhead wire constants: the seed 001 layouts with the reference server's values
 * ({@code blockhead.c}: {@code TYPE_*}, {@code OP_*}, {@code REPLY_*}, {@code OFF_*}). All
 * multi-byte fields are big-endian (the reference uses {@code ntohs}/{@code ntohl}).
 *
 * <pre>
 * CONNECT      0 type=0 | 1 seq | 2 flags | 3..258 name, NUL-terminated (empty = default image)
 * CONNECT OK   0 type=2 | 1 seq | 2 error=0 | 3..4 session id              (5 bytes)
 * COMMAND      0 type=1 | 1 seq | 2..3 session | 4 op | 5..8 LSN | 9 pad | 10.. sector (WRITE)
 * READ OK      0 type=2 | 1 seq | 2 error=0 | 3 pad=0 | 4.. sector             (4 + sector size)
 * DISCON       0 type=3 | 1 seq | 2..3 session                                (4 bytes)
 * REPLY        0 type=2 | 1 seq | 2 error     (WRITE OK, DISCON, every error: 3 bytes)
 * KEEP         0 type=4                       (answered with the same single byte)
 * </pre>
 *
 * <p>Sector size = {@code 128 << (flags & 7)}; only 128, 256 and 512 are served (reference
 * {@code SIZE_MASK 7}, anything larger is {@link #ERR_BADFLG}). The other flag bits are ignored, as
 * the reference ignores them.
 */
public final class BlockheadConstants {
    private BlockheadConstants() {}

    /** UDP port; the reference uses it as its ethertype too ({@code DEF_PORTNO}). */
    public static final int DEFAULT_PORT = 4444;

    /** Default image opened by an empty name ({@code DEF_IMAGE}). */
    public static final String DEFAULT_IMAGE = "test.img";

    /** Session cap ({@code DEF_MAXCON}). */
    public static final int DEFAULT_MAX_SESSIONS = 16;

    /** Idle minutes before a session is closed ({@code DEF_TIMEOUT}, 60 minutes). */
    public static final int DEFAULT_IDLE_MINUTES = 60;

    public static final int TYPE_CONNECT = 0;
    public static final int TYPE_COMMAND = 1;
    public static final int TYPE_REPLY = 2;
    public static final int TYPE_DISCON = 3;
    public static final int TYPE_KEEP = 4;

    public static final int OP_READ = 0;
    public static final int OP_WRITE = 1;

    public static final int ERR_OK = 0;
    /** Out of sessions ({@code REPLY_EOM}). */
    public static final int ERR_EOM = 1;
    /** No such image, or it cannot be opened (already has a writer) ({@code REPLY_NOI}). */
    public static final int ERR_NOI = 2;
    /** Bad packet ({@code REPLY_FORMAT}). */
    public static final int ERR_FORMAT = 3;
    /** Unknown session, or a session of another client address ({@code REPLY_BADID}). */
    public static final int ERR_BADID = 4;
    /** LSN outside the image ({@code REPLY_SEEK}). */
    public static final int ERR_SEEK = 5;
    /** Read or write failed; also a WRITE to a read-only image ({@code REPLY_SHORT}). */
    public static final int ERR_SHORT = 6;
    /** Bad flags: sector size other than 128, 256, 512 ({@code REPLY_BADFLG}). */
    public static final int ERR_BADFLG = 7;

    public static final int OFF_TYPE = 0;
    public static final int OFF_SEQ = 1;
    public static final int OFF_FLAGS = 2;
    public static final int OFF_SESSION = 2;
    public static final int OFF_ERROR = 2;
    public static final int OFF_FILENAME = 3;
    public static final int OFF_OPCODE = 4;
    public static final int OFF_LSN = 5;
    public static final int OFF_RDDATA = 4;
    public static final int OFF_WRDATA = 10;

    /** Name field length including its NUL. */
    public static final int NAME_FIELD = 256;

    public static final int CONNECT_MAX_LENGTH = OFF_FILENAME + NAME_FIELD;
    public static final int COMMAND_HEADER_LENGTH = OFF_WRDATA;
    public static final int DISCON_LENGTH = 4;
    public static final int REPLY_LENGTH = 3;
    public static final int CONNECT_REPLY_LENGTH = 5;
    /** Largest valid datagram: a 512-byte WRITE. */
    public static final int MAX_PACKET = OFF_WRDATA + 512;

    /** Sector size for a CONNECT flags byte, or -1 when the size code is not 0, 1 or 2. */
    public static int sectorSize(int flags) {
        int code = flags & 7;
        return code <= 2 ? 128 << code : -1;
    }
}
