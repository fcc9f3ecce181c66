package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.silo.archive.ns.NsPath;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Sizes;
import org.silo.wire.SiloException;

/** Paths, sizes and cookies: what people and movers type. */
class NamesTest {
    @Property
    void anyAcceptedPathIsCanonicalAndHasNoDotComponents(@ForAll String s) throws SiloException {
        NsPath p;
        try {
            p = NsPath.parse(s);
        } catch (SiloException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(p.names()).noneMatch(n -> n.equals("..") || n.equals(".") || n.isEmpty() || n.contains("/") || n.contains("\0"));
        assertThat(NsPath.parse(p.toString())).isEqualTo(p);
    }

    @Test
    void pathsNormalise() throws Exception {
        assertThat(NsPath.parse("//a///b/").toString()).isEqualTo("/a/b");
        assertThat(NsPath.parse("/").isRoot()).isTrue();
        assertThat(NsPath.parse("/a/b").parent().toString()).isEqualTo("/a");
        assertThat(NsPath.parse("/a/b/c").within(NsPath.parse("/a/b"))).isTrue();
        assertThat(NsPath.parse("/a/bc").within(NsPath.parse("/a/b"))).isFalse();
    }

    @Test
    void sizes() throws Exception {
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("10G")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("10g")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("1.5T")).isEqualTo(3L << 39);
        assertThat(Sizes.parse("2KiB")).isEqualTo(2048);
        assertThat(Sizes.parse("7MB")).isEqualTo(7L << 20);
        for (String bad : new String[] {"", "G", "-1G", "ten", "1X", "1e3", "99999999P"}) {
            assertThatThrownBy(() -> Sizes.parse(bad)).as(bad).isInstanceOf(SiloException.class);
        }
        assertThat(Sizes.format(10L << 30)).isEqualTo("10.0G");
        assertThat(Sizes.format(5)).isEqualTo("5B");
    }

    @Property
    void cookiesRoundTrip(@ForAll @LongRange(min = 1, max = 999_999_999_999L) long n) throws Exception {
        assertThat(Backend.fileNumber(Backend.cookie(n))).isEqualTo(n);
    }
}
