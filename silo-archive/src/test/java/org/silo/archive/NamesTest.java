package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.silo.archive.ns.NsPath;
import org.silo.archive.volume.Backend;
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
        assertThat(p.names())
                .noneMatch(n -> n.equals("..") || n.equals(".") || n.isEmpty() || n.contains("/") || n.contains("\0"));
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

    @Property
    void cookiesRoundTrip(@ForAll @LongRange(min = 1, max = 999_999_999_999L) long n) throws Exception {
        assertThat(Backend.fileNumber(Backend.cookie(n))).isEqualTo(n);
    }
}
