package org.silo.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The one size parser and printer (docs/cli.md, "Sizes": "disk create --size 1.5G" had been refused while vol took 1.5T). */
class SizesTest {
    @Test
    void readsWholeAndDecimalNumbersWithEitherKindOfUnit() {
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("64K")).isEqualTo(65536);
        assertThat(Sizes.parse("64M")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("10g")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("1.5G")).isEqualTo(3L << 29);
        assertThat(Sizes.parse("1.5T")).isEqualTo(3L << 39);
        assertThat(Sizes.parse("2KiB")).isEqualTo(2048);
        assertThat(Sizes.parse("1 GiB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("64.0 MiB"))
                .as("what format prints is read back")
                .isEqualTo(64L << 20);
        assertThat(Sizes.parse("7MB")).isEqualTo(7L << 20);
        assertThat(Sizes.parse("512 B")).isEqualTo(512);
        assertThat(Sizes.parse("2t")).isEqualTo(2L << 40);
    }

    @Test
    void refusesWhatIsNotASize() {
        for (String bad : new String[] {"", " ", "G", "-1G", "-1", "ten", "1X", "1e3", "1.5.5G", "1GB5"}) {
            assertThatThrownBy(() -> Sizes.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a size")
                    .hasMessageContaining("1.5G");
        }
        assertThatThrownBy(() -> Sizes.parse("99999999P")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Sizes.parse(null)).hasMessageContaining("not a size");
    }

    @Test
    void printsIecWithOneDecimal() {
        assertThat(Sizes.format(5)).isEqualTo("5 B");
        assertThat(Sizes.format(1023)).isEqualTo("1023 B");
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
        assertThat(Sizes.format(300_000)).isEqualTo("293.0 KiB");
        assertThat(Sizes.format(64L << 20)).isEqualTo("64.0 MiB");
        assertThat(Sizes.format(10L << 30)).isEqualTo("10.0 GiB");
        assertThat(Sizes.format(3L << 39)).isEqualTo("1.5 TiB");
        assertThat(Sizes.format(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Property
    void whatIsPrintedReadsBackWithinItsRounding(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long n) {
        long back = Sizes.parse(Sizes.format(n));
        // one decimal of the unit printed: within half a tenth of it (and exact under 1 KiB)
        long unit = n < 1024 ? 0 : 1L << (10 * ((63 - Long.numberOfLeadingZeros(n)) / 10));
        assertThat(Math.abs(back - n)).isLessThanOrEqualTo(unit / 20 + (unit == 0 ? 0 : 1));
    }
}
