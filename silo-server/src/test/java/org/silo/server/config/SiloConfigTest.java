package org.silo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiloConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        SiloConfig c = SiloConfig.defaults(Map.of());
        assertThat(c.port("wire.port")).isEqualTo(7400);
        assertThat(c.port("blockhead.port")).isEqualTo(4444);
        assertThat(c.port("nbd.port")).isEqualTo(10809);
        assertThat(c.listen().isLoopbackAddress())
                .as("loopback only out of the box")
                .isTrue();
        assertThat(c.wire().maxDatagram()).isEqualTo(1200);
        assertThat(c.wire().cacheBytes()).isEqualTo(64L << 20);
        assertThat(c.wire().cacheRetention()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void fileThenOverrides(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("silo.conf");
        Files.writeString(f, "# comment\nwire.port = 7500\nname = lab\nwire.max-datagram = 9000\n");
        SiloConfig c = SiloConfig.load(f, Map.of("wire.port", "7600"));
        assertThat(c.port("wire.port")).isEqualTo(7600);
        assertThat(c.get("name")).isEqualTo("lab");
        assertThat(c.wire().maxDatagram()).isEqualTo(9000);
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("wire.prot", "1")))
                .hasMessageContaining("unknown setting 'wire.prot'")
                .hasMessageContaining("wire.port");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("reply-cache.bytes", "lots")))
                .hasMessageContaining("reply-cache.bytes")
                .hasMessageContaining("not a size");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("wire.max-datagram", "70000")))
                .hasMessageStartingWith("bad value wire.max-datagram = '70000'");
        assertThatThrownBy(
                        () -> SiloConfig.defaults(Map.of("wire.port", "70000")).port("wire.port"))
                .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("wire.port", "abc")))
                .as("refused when loaded, not in a bind")
                .hasMessage("bad value wire.port = 'abc': a port is a whole number 0..65535 (0: any free port)");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("console.port", "-1")))
                .hasMessageContaining("bad value console.port");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("archive.movers", "two")))
                .hasMessageContaining("bad value archive.movers");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("files.stage-wait", "soon")))
                .hasMessageContaining("files.stage-wait");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("archive.hung-after", "0s")))
                .as("a hung-after of zero would call every mover hung")
                .hasMessageStartingWith("bad value archive.hung-after = '0s'");
        assertThat(SiloConfig.defaults(Map.of()).duration("archive.hung-after")).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("files.cache-size", "big")))
                .hasMessageContaining("files.cache-size");
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("files.url-allow", "10.0.0.0/8, not_a_host")))
                .as("refused when loaded, not at the first URL")
                .hasMessageStartingWith("bad value files.url-allow = '10.0.0.0/8, not_a_host': 'not_a_host'");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void sizesAreReadByTheOneParser() {
        assertThat(SiloConfig.defaults(Map.of("files.cache-size", "1.5G")).size("files.cache-size"))
                .isEqualTo(3L << 29);
        assertThatThrownBy(() -> SiloConfig.defaults(Map.of("files.cache-size", "-1")))
                .hasMessageContaining("not a size");
    }
}
