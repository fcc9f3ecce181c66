package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codec;

/**
 * The later byte forms of the file service (docs/files.md): the optional warning trailer of
 * open, close and lease replies, BER INTEGER (integer handles, a device's offset), and the device name
 * with an integer. Each checked byte for byte against the docs' tables and round-tripped.
 */
class FilesWireFormsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static <T> byte[] encode(Codec<T> c, T v) {
        WireWriter w = new WireWriter();
        c.encode(v, w);
        return w.toByteArray();
    }

    private static <T> T decode(Codec<T> c, byte[] b) throws SiloException {
        return c.decode(new WireReader(b));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0100",
        "1, 0101",
        "127, 017f",
        "128, 020080",
        "255, 0200ff",
        "256, 020100",
        "32767, 027fff",
        "32768, 03008000",
        "65535, 0300ffff",
        "2147483647, 047fffffff",
        "2147483648, 050080000000",
        "4294967295, 0500ffffffff",
        "9223372036854775807, 087fffffffffffffff",
        "-1, 01ff",
        "-128, 0180",
        "-129, 02ff7f",
        "-9223372036854775808, 088000000000000000"
    })
    void berIntegersAreTheShortestTwosComplementAndRoundTrip(long value, String hex) throws SiloException {
        WireWriter w = new WireWriter();
        BerInteger.write(value, w);
        assertThat(HEX.formatHex(w.toByteArray())).isEqualTo(hex);
        WireReader r = new WireReader(HEX.parseHex(hex));
        assertThat(BerInteger.read(r)).isEqualTo(value);
        assertThat(r.hasRemaining()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"00", "020001", "02ff80", "090000000000000000ff", "0201"})
    void malformedBerIntegersAreRefused(String hex) {
        assertThatThrownBy(() -> BerInteger.read(new WireReader(HEX.parseHex(hex))))
                .isInstanceOf(SiloException.class);
    }

    @Test
    void integerHandlesAreBerIntegers() throws SiloException {
        FilesOps.Handle h = FilesOps.Handle.integer(5);
        assertThat(HEX.formatHex(encode(FilesOps.HANDLE, h))).isEqualTo("030105");
        assertThat(FilesOps.Handle.integer(200).bytes()).containsExactly(0x00, 0xc8);
        for (int n : new int[] {1, 127, 128, 255, 256, 65535, 65536, Integer.MAX_VALUE}) {
            assertThat(decode(FilesOps.HANDLE, encode(FilesOps.HANDLE, FilesOps.Handle.integer(n)))
                            .integer())
                    .isEqualTo(n);
        }
        // the old fixed form, a negative number, one too large for an int: refused, with INVALID
        for (String bad : new String[] {"0000000005", "ff", "0100000000", ""}) {
            assertThatThrownBy(() -> new FilesOps.Handle(FilesOps.INTEGER, HEX.parseHex(bad)).integer())
                    .isInstanceOfSatisfying(
                            SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID));
        }
    }

    @Test
    void aWarningIsAnOptionalTrailerThatOldDecodersNeverReach() throws SiloException {
        FilesOps.Warning w = new FilesOps.Warning(FilesOps.WARN_LEASE_SHORTER, "granted 3600 s, not 7200");
        FilesOps.LeaseState plain = new FilesOps.LeaseState(true, 42, false, "read lease");
        FilesOps.LeaseState warned = new FilesOps.LeaseState(true, 42, false, "read lease", w);
        byte[] before = encode(FilesOps.LEASE_STATE, plain);
        byte[] after = encode(FilesOps.LEASE_STATE, warned);
        // the same bytes, then u16 code and BER text
        assertThat(HEX.formatHex(after))
                .isEqualTo(HEX.formatHex(before) + "0001" + "18"
                        + HEX.formatHex(w.text().getBytes()));
        assertThat(decode(FilesOps.LEASE_STATE, after)).isEqualTo(warned);
        assertThat(decode(FilesOps.LEASE_STATE, before).warning()).isNull();
        // an older decoder read the four fields and stopped: the trailer is left unread
        WireReader old = new WireReader(after);
        old.u8();
        old.u64();
        old.u8();
        assertThat(old.utf8()).isEqualTo("read lease");

        FilesOps.Opened o = new FilesOps.Opened(
                FilesOps.Handle.integer(3),
                10,
                false,
                0,
                "",
                "",
                new FilesOps.Warning(FilesOps.WARN_OTHER_COPY, "from the copy on B: A is noaccess"));
        FilesOps.Opened back = decode(FilesOps.OPENED, encode(FilesOps.OPENED, o));
        assertThat(back.warning()).isEqualTo(o.warning());
        assertThat(back.size()).isEqualTo(10);
        FilesOps.Closed c = new FilesOps.Closed(1, "/a", "b", "c", new FilesOps.Warning(FilesOps.WARN_STAGED, "x"));
        assertThat(decode(FilesOps.CLOSED, encode(FilesOps.CLOSED, c))).isEqualTo(c);
        assertThat(decode(FilesOps.CLOSED, encode(FilesOps.CLOSED, FilesOps.Closed.NOTHING))
                        .warning())
                .isNull();
        assertThat(FilesOps.Warning.name(FilesOps.WARN_STAGED)).isEqualTo("STAGED");
    }

    @Test
    void aTruncatedWarningIsRefused() {
        byte[] ok = encode(
                FilesOps.LEASE_STATE, new FilesOps.LeaseState(true, 1, false, "t", new FilesOps.Warning(1, "why")));
        for (int cut = 1; cut <= 5; cut++) {
            byte[] b = java.util.Arrays.copyOf(ok, ok.length - cut);
            assertThatThrownBy(() -> decode(FilesOps.LEASE_STATE, b)).isInstanceOf(SiloException.class);
        }
    }

    @Test
    void aDeviceNameMayCarryAnOffset() throws SiloException {
        FilesOps.Open o = new FilesOps.Open(
                FilesOps.READ, FilesOps.CAPABILITY, List.of(FilesOps.Name.device("disk0", 1_048_576)));
        byte[] b = encode(FilesOps.OPEN_REQUEST, o);
        // flags, handle type, 0x83, BER "disk0", BER INTEGER 1048576
        assertThat(HEX.formatHex(b)).isEqualTo("0101" + "83" + "05" + HEX.formatHex("disk0".getBytes()) + "03100000");
        assertThat(decode(FilesOps.OPEN_REQUEST, b)).isEqualTo(o);
        FilesOps.Open plain =
                new FilesOps.Open(FilesOps.READ, FilesOps.CAPABILITY, List.of(FilesOps.Name.device("disk0")));
        assertThat(encode(FilesOps.OPEN_REQUEST, plain)[2]).isEqualTo((byte) 3);
        assertThat(decode(FilesOps.OPEN_REQUEST, encode(FilesOps.OPEN_REQUEST, plain))
                        .names()
                        .get(0)
                        .offset())
                .isEqualTo(-1);
        // in an access method too, followed by another name
        FilesOps.Open both = new FilesOps.Open(
                FilesOps.READ, FilesOps.CAPABILITY, List.of(FilesOps.Name.device("d", 0), FilesOps.Name.path("/x")));
        assertThat(decode(FilesOps.OPEN_REQUEST, encode(FilesOps.OPEN_REQUEST, both)))
                .isEqualTo(both);
    }

    @ParameterizedTest
    @CsvSource({"0101820161020100", "0101830164", "01018301640180", "0101850164"})
    void anIntegerOnlyFollowsADeviceAndIsNotNegative(String hex) {
        // 0x82: a path with an integer; 0x83 without one; 0x83 with -128; 0x85 (an access method with bit 7)
        assertThatThrownBy(() -> decode(FilesOps.OPEN_REQUEST, HEX.parseHex(hex)))
                .isInstanceOf(SiloException.class);
    }
}
