package org.silo.archive.aggregate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tar layout Silo writes its containers in: POSIX.1-2001 (pax) as GNU tar, bsdtar and Python's
 * tarfile read it, so that a person can list and extract a container without Silo
 * ({@code tar tvf 0000042}, {@code tar xf 0000042 exp/run1/a.dat}).
 *
 * <pre>
 * a member:    [pax header block + its records, padded to 512]   only when the name or size needs it
 *              ustar header block (512)
 *              data, padded with zeros to a multiple of 512
 * the end:     two zero blocks (1024)
 *
 * ustar header   offset  length  field
 *                     0     100  name (NUL-padded)          257  6  magic "ustar\0"
 *                   100       8  mode, octal "0000644\0"    263  2  version "00"
 *                   108       8  uid "0000000\0"            265 32  uname
 *                   116       8  gid "0000000\0"            297 32  gname
 *                   124      12  size, 11 octal digits+NUL   329  8  devmajor
 *                   136      12  mtime, octal seconds        337  8  devminor
 *                   148       8  checksum: 6 octal, NUL, ' ' 345 155 prefix (directory part of the name)
 *                   156       1  type: '0' file, 'x' pax     500 12  padding
 *                   157     100  linkname
 * pax record     "LEN KEY=VALUE\n", LEN counting the whole record in decimal (path, size)
 * </pre>
 *
 * <p>The checksum is the sum of the header's bytes as unsigned numbers, with the checksum field taken
 * as eight spaces. A name that is not 7-bit ASCII, or is too long for name + prefix, goes in a pax
 * {@code path} record; a size of 8 GiB or more (past 11 octal digits) in a pax {@code size} record.
 */
public final class Tar {
    private Tar() {}

    public static final int BLOCK = 512;
    /** The end of an archive: two zero blocks. */
    public static final int END = 2 * BLOCK;

    public static final byte TYPE_FILE = '0';
    public static final byte TYPE_PAX = 'x';
    /** The largest size the 11 octal digits of the ustar size field hold. */
    public static final long MAX_USTAR_SIZE = 077777777777L;

    private static final int OFF_NAME = 0;
    private static final int OFF_MODE = 100;
    private static final int OFF_UID = 108;
    private static final int OFF_GID = 116;
    private static final int OFF_SIZE = 124;
    private static final int OFF_MTIME = 136;
    private static final int OFF_CHKSUM = 148;
    private static final int OFF_TYPE = 156;
    private static final int OFF_MAGIC = 257;
    private static final int OFF_VERSION = 263;
    private static final int OFF_UNAME = 265;
    private static final int OFF_GNAME = 297;
    private static final int OFF_PREFIX = 345;

    /** One parsed header block. {@code checksumOk} false: not a tar header (or a damaged one). */
    public record Header(String name, long size, byte type, long mtime, boolean checksumOk, boolean zero) {}

    /** Zeros that bring {@code size} bytes up to a whole number of blocks. */
    public static int padding(long size) {
        int r = (int) (size % BLOCK);
        return r == 0 ? 0 : BLOCK - r;
    }

    /** {@code size} rounded up to whole blocks. */
    public static long padded(long size) {
        return size + padding(size);
    }

    /**
     * Everything that goes before a member's data: a pax header when needed, then the ustar header.
     * {@code name} is relative (no leading '/'); {@code owner} goes in uname (cut to 31 bytes).
     */
    public static byte[] headers(String name, long size, long mtimeSeconds, String owner) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int split = ascii(nameBytes) ? split(nameBytes) : -2;
        Map<String, String> pax = new LinkedHashMap<>();
        if (split == -2) {
            pax.put("path", name);
        }
        if (size > MAX_USTAR_SIZE) {
            pax.put("size", Long.toString(size));
        }
        byte[] ustar = ustar(
                split == -2 ? fallbackName(name).getBytes(StandardCharsets.US_ASCII) : nameBytes,
                split < 0 ? -1 : split,
                Math.min(size, MAX_USTAR_SIZE),
                mtimeSeconds,
                TYPE_FILE,
                owner);
        if (pax.isEmpty()) {
            return ustar;
        }
        byte[] records = paxRecords(pax);
        byte[] paxHeader = ustar(
                ("PaxHeaders/" + fallbackName(name)).getBytes(StandardCharsets.US_ASCII),
                -1,
                records.length,
                mtimeSeconds,
                TYPE_PAX,
                owner);
        byte[] out = new byte[BLOCK + (int) padded(records.length) + BLOCK];
        System.arraycopy(paxHeader, 0, out, 0, BLOCK);
        System.arraycopy(records, 0, out, BLOCK, records.length);
        System.arraycopy(ustar, 0, out, out.length - BLOCK, BLOCK);
        return out;
    }

    /** Parses one 512-byte block at {@code off}. */
    public static Header parse(byte[] b, int off) {
        boolean zero = true;
        for (int i = 0; i < BLOCK; i++) {
            if (b[off + i] != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return new Header("", 0, (byte) 0, 0, true, true);
        }
        long stored = octal(b, off + OFF_CHKSUM, 8);
        boolean ok = stored >= 0 && stored == checksum(b, off);
        String name = cString(b, off + OFF_NAME, 100);
        String prefix = cString(b, off + OFF_PREFIX, 155);
        if (!prefix.isEmpty()) {
            name = prefix + "/" + name;
        }
        long size = octal(b, off + OFF_SIZE, 12);
        long mtime = octal(b, off + OFF_MTIME, 12);
        return new Header(name, size, b[off + OFF_TYPE], mtime, ok && size >= 0, false);
    }

    /** The records of a pax extended header's data. */
    public static Map<String, String> parsePax(byte[] data) {
        Map<String, String> out = new LinkedHashMap<>();
        int at = 0;
        while (at < data.length) {
            int space = indexOf(data, (byte) ' ', at);
            if (space < 0) {
                break;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break;
            }
            if (len <= space - at || at + len > data.length) {
                break;
            }
            String rec = new String(data, space + 1, at + len - space - 2, StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) {
                out.put(rec.substring(0, eq), rec.substring(eq + 1));
            }
            at += len;
        }
        return out;
    }

    private static byte[] ustar(byte[] name, int split, long size, long mtime, byte type, String owner) {
        byte[] h = new byte[BLOCK];
        if (split >= 0) {
            System.arraycopy(name, 0, h, OFF_PREFIX, split);
            System.arraycopy(name, split + 1, h, OFF_NAME, name.length - split - 1);
        } else {
            System.arraycopy(name, 0, h, OFF_NAME, Math.min(100, name.length));
        }
        putOctal(h, OFF_MODE, 8, 0644);
        putOctal(h, OFF_UID, 8, 0);
        putOctal(h, OFF_GID, 8, 0);
        putOctal(h, OFF_SIZE, 12, size);
        putOctal(h, OFF_MTIME, 12, Math.max(0, mtime));
        h[OFF_TYPE] = type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, OFF_MAGIC, 6);
        h[OFF_VERSION] = '0';
        h[OFF_VERSION + 1] = '0';
        byte[] u = asciiCut(owner == null ? "" : owner, 31);
        System.arraycopy(u, 0, h, OFF_UNAME, u.length);
        System.arraycopy(u, 0, h, OFF_GNAME, u.length);
        long sum = checksum(h, 0);
        putOctal(h, OFF_CHKSUM, 7, sum); // six digits and a NUL
        h[OFF_CHKSUM + 7] = ' ';
        return h;
    }

    /** Sum of the header bytes, the checksum field counted as spaces. */
    private static long checksum(byte[] b, int off) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean inField = i >= OFF_CHKSUM && i < OFF_CHKSUM + 8;
            sum += inField ? ' ' : b[off + i] & 0xff;
        }
        return sum;
    }

    /** Where to split an ASCII name into prefix '/' name: -1 when it fits the name field, -2 when it fits neither. */
    private static int split(byte[] name) {
        if (name.length <= 100) {
            return -1;
        }
        for (int i = Math.min(155, name.length - 1); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
                return i;
            }
        }
        return -2;
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0x20 || x == 0x7f) { // negative: not ASCII; control characters too
                return false;
            }
        }
        return true;
    }

    /** What a reader that knows no pax sees as the name: the last 99 ASCII-safe bytes. */
    private static String fallbackName(String name) {
        StringBuilder s = new StringBuilder();
        for (char ch : name.toCharArray()) {
            s.append(ch >= 0x20 && ch < 0x7f ? ch : '_');
        }
        String t = s.toString();
        return t.length() <= 99 ? t : t.substring(t.length() - 99);
    }

    private static byte[] paxRecords(Map<String, String> pax) {
        StringBuilder all = new StringBuilder();
        for (Map.Entry<String, String> e : pax.entrySet()) {
            String body = " " + e.getKey() + "=" + e.getValue() + "\n";
            int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
            int len = bodyLen + 1;
            while (Integer.toString(len).length() + bodyLen != len) {
                len = Integer.toString(len).length() + bodyLen;
            }
            all.append(len).append(body);
        }
        return all.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void putOctal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        int digits = len - 1;
        if (s.length() > digits) {
            throw new IllegalArgumentException(v + " does not fit " + digits + " octal digits");
        }
        byte[] d = ("0".repeat(digits - s.length()) + s).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, h, off, digits);
        h[off + digits] = 0;
    }

    private static long octal(byte[] b, int off, int len) {
        long v = 0;
        boolean any = false;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == 0 || (c == ' ' && any)) {
                break;
            }
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            v = v * 8 + (c - '0');
            any = true;
        }
        return any ? v : -1;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static byte[] asciiCut(String s, int max) {
        byte[] b = s.replaceAll("[^\\x21-\\x7e]", "_").getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(b, Math.min(b.length, max));
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}
