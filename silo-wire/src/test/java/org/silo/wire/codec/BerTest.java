package org.silo.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.silo.wire.SiloException;

/**
 * BER definite lengths, X.690 §8.1.3:
 * <pre>
 *   short form: 0xxxxxxx              (0..127)
 *   long form:  1kkkkkkk  k octets    (k = 1..4 here)
 * </pre>
 */
class BerTest {

    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "127, 7f",
        "128, 8180",
        "255, 81ff",
        "256, 820100",
        "65535, 82ffff",
        "65536, 83010000",
        "16777215, 83ffffff",
        "16777216, 8401000000",
        "2147483647, 847fffffff"
    })
    void encodesShortestFormAndReadsItBack(int length, String hex) throws SiloException {
        WireWriter w = new WireWriter();
        Ber.write(w, length);
        byte[] bytes = w.toByteArray();
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(hex);
        assertThat(Ber.size(length)).isEqualTo(bytes.length);
        WireReader r = new WireReader(bytes);
        assertThat(Ber.read(r)).isEqualTo(length);
        assertThat(r.remaining()).as("nothing left over").isZero();
    }

    @Property
    void roundTripsEveryLength(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int length) throws SiloException {
        WireWriter w = new WireWriter();
        Ber.write(w, length);
        WireReader r = new WireReader(w.toByteArray());
        assertThat(Ber.read(r)).isEqualTo(length);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void acceptsNonMinimalDefiniteForms() throws SiloException {
        assertThat(Ber.read(new WireReader(HexFormat.of().parseHex("820005")))).isEqualTo(5);
    }

    @ParameterizedTest
    @CsvSource({"80, indefinite", "8501000000ff, too long", "84ffffffff, exceeds", "82ff, truncated", "'', truncated"})
    void refusesMalformedLengths(String hex, String why) {
        assertThatThrownBy(() -> Ber.read(new WireReader(HexFormat.of().parseHex(hex))))
                .isInstanceOf(SiloException.class)
                .hasMessageContaining(why);
    }
}
