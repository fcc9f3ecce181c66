package org.silo.files;

import java.util.ArrayList;
import java.util.List;
import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codec;
import org.silo.wire.op.Operation;

/**
 * Service 0x06, the file access operations of seed 003, which keep the seed's numbers in their low octet
 * (docs/files.md has the layouts):
 *
 * <pre>
 * 0x0601 open   u8 flags, u8 handle type, name            -> u8 type, BER handle, u64 size, u8 writable, u8 which,
 *                                                            BER data address (OOB-XFER), BER generated name, [warning]
 * 0x0603 close  handle                                    -> u64 size, BER path, BER bfid, BER adler32 (an archive
 *                                                            path written: as stored; else 0 and empty), [warning]
 * 0x0605 stat   handle                                    -> u64 size, u64 modified ms, u8 name type, u8 writable
 * 0x0607 read   handle, u64 offset, BER length            -> bytes
 * 0x0609 write  handle, u64 offset, BER data              -> u32 written
 * 0x060B lease  name, u8 kind, u32 seconds, BER holder    -> u8 granted, u64 expires ms, u8 recalled, BER text, [warning]
 * name    = u8 type (1 application, 2 filesystem, 3 device, 4 URL), BER name [, BER specific for application]
 *         | u8 0x83 (device with an integer), BER name, BER INTEGER offset
 *         | u8 5 (access method), u8 count, count names
 * handle  = u8 type (0 none, 1 capability, 2 crypto, 3 integer: BER INTEGER octets), BER bytes
 * warning = (optional, at the end) u16 code, BER text
 * </pre>
 */
public final class FilesOps {
    private FilesOps() {}

    public static final int READ = 0x01;
    public static final int WRITE = 0x02;
    public static final int APPEND = 0x04;
    public static final int CREATE = 0x08;
    public static final int CACHE = 0x10;
    public static final int OOB_XFER = 0x20;

    public static final int APPLICATION = 1;
    public static final int FILESYSTEM = 2;
    public static final int DEVICE = 3;
    public static final int URL = 4;
    public static final int ACCESS_METHOD = 5;

    public static final int NONE = 0;
    public static final int CAPABILITY = 1;
    public static final int CRYPTO = 2;
    public static final int INTEGER = 3;

    public static final int MAX_NAME = 4096;
    /** Bit 7 of a name type: a BER INTEGER follows the name (only for DEVICE: a starting byte offset). */
    public static final int WITH_INTEGER = 0x80;

    /** Warning codes (seed 003: "error/warning code and text"): docs/files.md, Warnings. */
    public static final int WARN_LEASE_SHORTER = 1;

    public static final int WARN_OTHER_COPY = 2;
    public static final int WARN_STAGED = 3;

    /** A success the client should hear about; null in a reply means none. */
    public record Warning(int code, String text) {
        public static String name(int code) {
            return switch (code) {
                case WARN_LEASE_SHORTER -> "LEASE_SHORTER";
                case WARN_OTHER_COPY -> "OTHER_COPY";
                case WARN_STAGED -> "STAGED";
                default -> "WARNING_" + code;
            };
        }

        @Override
        public String toString() {
            return name(code) + ": " + text;
        }
    }

    static void writeWarning(Warning warning, WireWriter w) {
        if (warning != null) {
            w.u16(warning.code()).utf8(warning.text());
        }
    }

    /** The optional trailer: absent (nothing left) is no warning; anything after it is refused. */
    static Warning readWarning(WireReader r, String what) throws SiloException {
        if (!r.hasRemaining()) {
            return null;
        }
        Warning warning = new Warning(r.u16(), r.utf8());
        r.expectEnd(what);
        return warning;
    }

    /**
     * One name: its type and text; an application name also has its application-specific part, a device
     * name may have an integer (seed 003's "an integer for i-node": Silo's is a starting byte offset; -1: none).
     */
    public record Name(int type, String name, String specific, long offset) {
        public Name(int type, String name, String specific) {
            this(type, name, specific, -1);
        }

        public static Name device(String image) {
            return new Name(DEVICE, image, "");
        }

        /** The image from byte {@code offset} on, as a partition (docs/files.md, "The device's integer"). */
        public static Name device(String image, long offset) {
            return new Name(DEVICE, image, "", offset);
        }

        public static Name path(String path) {
            return new Name(FILESYSTEM, path, "");
        }

        public static Name url(String url) {
            return new Name(URL, url, "");
        }

        public static Name app(String application, String specific) {
            return new Name(APPLICATION, application, specific);
        }
    }

    public record Handle(int type, byte[] bytes) {
        public static final Handle SAME = new Handle(NONE, new byte[0]);

        /** An integer handle: seed 003's asn1int, a BER INTEGER's octets. */
        public static Handle integer(int n) {
            return new Handle(INTEGER, BerInteger.octets(n));
        }

        /** The number of an integer handle; INVALID if its bytes are not a BER INTEGER from 0 to 2^31-1. */
        public int integer() throws SiloException {
            long n = BerInteger.value(bytes);
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw SiloException.invalid("an integer handle is 0 to " + Integer.MAX_VALUE + ", not " + n);
            }
            return (int) n;
        }
    }

    /** open: flags, the handle type wanted, and one name or several to try in turn. */
    public record Open(int flags, int handleType, List<Name> names) {}

    /**
     * @param dataAddress host:port of the data port when OOB-XFER was asked for, else empty
     * @param name        the name the server made up for a create without a name (seed 003: "gensymed"), else empty
     */
    public record Opened(
            Handle handle, long size, boolean writable, int which, String dataAddress, String name, Warning warning) {
        public Opened(Handle handle, long size, boolean writable, int which, String dataAddress, String name) {
            this(handle, size, writable, which, dataAddress, name, null);
        }

        public Opened(Handle handle, long size, boolean writable, int which, String dataAddress) {
            this(handle, size, writable, which, dataAddress, "");
        }
    }

    /** What close reports: for a file written to an archive path, where and how it was stored. */
    public record Closed(long size, String path, String bfid, String adler32, Warning warning) {
        public static final Closed NOTHING = new Closed(0, "", "", "");

        public Closed(long size, String path, String bfid, String adler32) {
            this(size, path, bfid, adler32, null);
        }

        public boolean archived() {
            return !bfid.isEmpty();
        }
    }

    public record Stat(long size, long modifiedMillis, int nameType, boolean writable) {}

    public record Read(Handle handle, long offset, int length) {}

    public record Write(Handle handle, long offset, byte[] data) {}

    public static final int LEASE_RELEASE = 0;
    public static final int LEASE_READ = 1;
    public static final int LEASE_WRITE = 2;

    /** lease: take, renew (the same again) or release (kind 0) a lease on a named object. */
    public record Lease(Name name, int kind, int seconds, String holder) {}

    /** The answer: granted until when, whether a writer recalled it, and why not when refused. */
    public record LeaseState(boolean granted, long expiresMillis, boolean recalled, String text, Warning warning) {
        public LeaseState(boolean granted, long expiresMillis, boolean recalled, String text) {
            this(granted, expiresMillis, recalled, text, null);
        }

        public LeaseState withWarning(Warning w) {
            return new LeaseState(granted, expiresMillis, recalled, text, w);
        }
    }

    static void writeHandle(Handle h, WireWriter w) {
        w.u8(h.type()).lengthPrefixed(h.bytes());
    }

    static Handle readHandle(WireReader r) throws SiloException {
        int type = r.u8();
        if (type > INTEGER) {
            throw SiloException.malformed("unknown handle type " + type);
        }
        return new Handle(type, r.lengthPrefixed());
    }

    private static void writeName(Name n, WireWriter w) {
        boolean withInteger = n.type() == DEVICE && n.offset() >= 0;
        w.u8(withInteger ? n.type() | WITH_INTEGER : n.type()).utf8(n.name());
        if (n.type() == APPLICATION) {
            w.utf8(n.specific());
        }
        if (withInteger) {
            BerInteger.write(n.offset(), w);
        }
    }

    private static Name readName(WireReader r, int type) throws SiloException {
        if (type == (DEVICE | WITH_INTEGER)) {
            Name device = readName(r, DEVICE);
            long offset = BerInteger.read(r);
            if (offset < 0) {
                throw SiloException.invalid("a device's offset is not negative: " + offset);
            }
            return Name.device(device.name(), offset);
        }
        if ((type & WITH_INTEGER) != 0) {
            throw SiloException.invalid(
                    "only a device name (type 3) carries an integer, not type " + (type & ~WITH_INTEGER));
        }
        String name = r.utf8();
        if (name.length() > MAX_NAME) {
            throw SiloException.invalid("a name is at most " + MAX_NAME + " bytes");
        }
        return switch (type) {
            case APPLICATION -> new Name(type, name, r.utf8());
            case FILESYSTEM, DEVICE, URL -> new Name(type, name, "");
            default -> throw SiloException.malformed("unknown name type " + type);
        };
    }

    public static final Codec<Open> OPEN_REQUEST = new Codec<>() {
        @Override
        public void encode(Open o, WireWriter w) {
            w.u8(o.flags()).u8(o.handleType());
            if (o.names().size() == 1) {
                writeName(o.names().get(0), w);
            } else {
                w.u8(ACCESS_METHOD).u8(o.names().size());
                for (Name n : o.names()) {
                    writeName(n, w);
                }
            }
        }

        @Override
        public Open decode(WireReader r) throws SiloException {
            int flags = r.u8();
            int handleType = r.u8();
            int type = r.u8();
            List<Name> names = new ArrayList<>();
            if (type == ACCESS_METHOD) {
                int count = r.u8();
                if (count < 1) {
                    throw SiloException.invalid("an access method names at least one object");
                }
                for (int i = 0; i < count; i++) {
                    names.add(readName(r, r.u8()));
                }
            } else {
                names.add(readName(r, type));
            }
            r.expectEnd("open");
            return new Open(flags, handleType, names);
        }
    };

    public static final Codec<Opened> OPENED = new Codec<>() {
        @Override
        public void encode(Opened o, WireWriter w) {
            writeHandle(o.handle(), w);
            w.u64(o.size())
                    .u8(o.writable() ? 1 : 0)
                    .u8(o.which())
                    .utf8(o.dataAddress())
                    .utf8(o.name());
            writeWarning(o.warning(), w);
        }

        @Override
        public Opened decode(WireReader r) throws SiloException {
            return new Opened(
                    readHandle(r), r.u64(), r.u8() != 0, r.u8(), r.utf8(), r.utf8(), readWarning(r, "open reply"));
        }
    };

    public static final Codec<Closed> CLOSED = new Codec<>() {
        @Override
        public void encode(Closed c, WireWriter w) {
            w.u64(c.size()).utf8(c.path()).utf8(c.bfid()).utf8(c.adler32());
            writeWarning(c.warning(), w);
        }

        @Override
        public Closed decode(WireReader r) throws SiloException {
            return new Closed(r.u64(), r.utf8(), r.utf8(), r.utf8(), readWarning(r, "close reply"));
        }
    };

    public static final Codec<Handle> HANDLE = new Codec<>() {
        @Override
        public void encode(Handle h, WireWriter w) {
            writeHandle(h, w);
        }

        @Override
        public Handle decode(WireReader r) throws SiloException {
            Handle h = readHandle(r);
            r.expectEnd("handle");
            return h;
        }
    };

    public static final Codec<Stat> STAT_REPLY = new Codec<>() {
        @Override
        public void encode(Stat s, WireWriter w) {
            w.u64(s.size()).u64(s.modifiedMillis()).u8(s.nameType()).u8(s.writable() ? 1 : 0);
        }

        @Override
        public Stat decode(WireReader r) throws SiloException {
            return new Stat(r.u64(), r.u64(), r.u8(), r.u8() != 0);
        }
    };

    public static final Codec<Read> READ_REQUEST = new Codec<>() {
        @Override
        public void encode(Read q, WireWriter w) {
            writeHandle(q.handle(), w);
            w.u64(q.offset()).berLength(q.length());
        }

        @Override
        public Read decode(WireReader r) throws SiloException {
            Read q = new Read(readHandle(r), r.u64(), r.berLength());
            r.expectEnd("read");
            return q;
        }
    };

    public static final Codec<Write> WRITE_REQUEST = new Codec<>() {
        @Override
        public void encode(Write q, WireWriter w) {
            writeHandle(q.handle(), w);
            w.u64(q.offset()).lengthPrefixed(q.data());
        }

        @Override
        public Write decode(WireReader r) throws SiloException {
            Write q = new Write(readHandle(r), r.u64(), r.lengthPrefixed());
            r.expectEnd("write");
            return q;
        }
    };

    public static final Codec<Lease> LEASE_REQUEST = new Codec<>() {
        @Override
        public void encode(Lease l, WireWriter w) {
            writeName(l.name(), w);
            w.u8(l.kind()).u32(l.seconds()).utf8(l.holder());
        }

        @Override
        public Lease decode(WireReader r) throws SiloException {
            int type = r.u8();
            if ((type & ~WITH_INTEGER) == ACCESS_METHOD) {
                throw SiloException.invalid("a lease names one object, not an access method");
            }
            Lease l = new Lease(readName(r, type), r.u8(), (int) r.u32(), r.utf8());
            r.expectEnd("lease");
            return l;
        }
    };

    public static final Codec<LeaseState> LEASE_STATE = new Codec<>() {
        @Override
        public void encode(LeaseState s, WireWriter w) {
            w.u8(s.granted() ? 1 : 0)
                    .u64(s.expiresMillis())
                    .u8(s.recalled() ? 1 : 0)
                    .utf8(s.text());
            writeWarning(s.warning(), w);
        }

        @Override
        public LeaseState decode(WireReader r) throws SiloException {
            return new LeaseState(r.u8() != 0, r.u64(), r.u8() != 0, r.utf8(), readWarning(r, "lease reply"));
        }
    };

    public static final Codec<Integer> U32 = new Codec<>() {
        @Override
        public void encode(Integer v, WireWriter w) {
            w.u32(v);
        }

        @Override
        public Integer decode(WireReader r) throws SiloException {
            return (int) r.u32();
        }
    };

    // Seed 003's operation numbers are the low byte: its request (odd) and its response (even) travel as
    // one operation and its FAILURE or SUCCESS result, so each pair has the request's number.

    /** Seed 003's "1 open" and "2 open response". */
    public static final Operation<Open, Opened> OPEN = new Operation<>(0x0601, "open", OPEN_REQUEST, OPENED);
    /** Seed 003's "3 close" and "4 close response". */
    public static final Operation<Handle, Closed> CLOSE = new Operation<>(0x0603, "close", HANDLE, CLOSED);
    /** Seed 003's "5 stat" and "6 stat response". */
    public static final Operation<Handle, Stat> STAT = new Operation<>(0x0605, "stat", HANDLE, STAT_REPLY);
    /** Seed 003's "7 read" and "8 read response". */
    public static final Operation<Read, byte[]> READ_OP =
            new Operation<>(0x0607, "read", READ_REQUEST, org.silo.wire.op.Codecs.BYTES);
    /** Seed 003's "9 write" and "10 write response". */
    public static final Operation<Write, Integer> WRITE_OP = new Operation<>(0x0609, "write", WRITE_REQUEST, U32);
    /** Seed 003's "11 lease request" and "12 lease response". */
    public static final Operation<Lease, LeaseState> LEASE =
            new Operation<>(0x060B, "lease", LEASE_REQUEST, LEASE_STATE);
}
