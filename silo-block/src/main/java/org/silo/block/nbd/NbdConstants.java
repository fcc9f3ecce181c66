package org.silo.block.nbd;

/**
 * NBD wire constants, from the NBD project's {@code doc/proto.md} (fixed newstyle only). All
 * integers are big-endian.
 *
 * <pre>
 * Greeting      S: u64 NBDMAGIC | u64 IHAVEOPT | u16 handshake flags
 * Client flags  C: u32 flags
 * Option        C: u64 IHAVEOPT | u32 option | u32 length | data
 * Option reply  S: u64 REPLY_MAGIC | u32 option | u32 reply type | u32 length | data
 * EXPORT_NAME   S: u64 size | u16 transmission flags | 124 zero bytes unless NO_ZEROES
 * REP_SERVER    S: u32 name length | name | description to the end (UTF-8, optional)
 * REP_INFO      S: u16 info type | ...: EXPORT u64 size | u16 flags; NAME name; DESCRIPTION text;
 *                  BLOCK_SIZE u32 minimum | u32 preferred | u32 maximum (strings to the end, no NUL)
 * Request       C: u32 REQUEST_MAGIC | u16 flags | u16 type | u64 cookie | u64 offset | u32 length
 *                  | data (WRITE only)                                              (28 + data)
 * Simple reply  S: u32 SIMPLE_REPLY_MAGIC | u32 error | u64 cookie | data (READ only)  (16 + data)
 * Chunk         S: u32 STRUCTURED_REPLY_MAGIC | u16 flags | u16 type | u64 cookie | u32 length
 *                  | payload                                                        (20 + payload)
 * </pre>
 */
public final class NbdConstants {
    private NbdConstants() {}

    public static final int DEFAULT_PORT = 10809;

    public static final long NBDMAGIC = 0x4e42444d41474943L;
    public static final long IHAVEOPT = 0x49484156454F5054L;
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    // Handshake flags (server) and client flags.
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;
    public static final int CLIENT_FLAGS_KNOWN = FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES;

    // Options.
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;

    // Option reply types.
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_META_CONTEXT = 4;
    public static final int REP_ERR_UNSUP = 0x80000000 | 1;
    public static final int REP_ERR_POLICY = 0x80000000 | 2;
    public static final int REP_ERR_INVALID = 0x80000000 | 3;
    public static final int REP_ERR_PLATFORM = 0x80000000 | 4;
    public static final int REP_ERR_TLS_REQD = 0x80000000 | 5;
    public static final int REP_ERR_UNKNOWN = 0x80000000 | 6;

    // NBD_INFO_* items of REP_INFO.
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags.
    public static final int TF_HAS_FLAGS = 1;
    public static final int TF_READ_ONLY = 1 << 1;
    public static final int TF_SEND_FLUSH = 1 << 2;
    public static final int TF_SEND_FUA = 1 << 3;
    public static final int TF_SEND_TRIM = 1 << 5;
    public static final int TF_SEND_WRITE_ZEROES = 1 << 6;
    public static final int TF_SEND_DF = 1 << 7;
    public static final int TF_CAN_MULTI_CONN = 1 << 8;
    public static final int TF_SEND_CACHE = 1 << 10;

    // Commands.
    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;

    // Command flags.
    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;

    // Structured reply chunk flags and types.
    public static final int REPLY_FLAG_DONE = 1;
    public static final int REPLY_TYPE_NONE = 0;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_BLOCK_STATUS = 5;
    public static final int REPLY_TYPE_ERROR = (1 << 15) + 1;

    // Errors (errno values on the wire).
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;

    // base:allocation states.
    public static final int STATE_HOLE = 1;
    public static final int STATE_ZERO = 2;
    public static final String META_BASE_ALLOCATION = "base:allocation";
    /** The id we give base:allocation. */
    public static final int META_ID_BASE_ALLOCATION = 1;

    /**
     * Largest READ or WRITE payload (BLOCK_SIZE says so): a bigger WRITE ends the connection, a bigger
     * READ gets EINVAL.
     */
    public static final int MAX_PAYLOAD = 32 << 20;
    /** Preferred block size advertised in NBD_INFO_BLOCK_SIZE. */
    public static final int PREFERRED_BLOCK = 4096;
    /** Longest string (export name, description, query) proto.md lets either side send. */
    public static final int MAX_STRING = 4096;
    /** Longest option we read; a longer one ends the connection instead of being buffered. */
    public static final int MAX_OPTION_LENGTH = 64 << 10;

    public static final int REQUEST_HEADER_LENGTH = 28;
}
