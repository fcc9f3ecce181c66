package org.silo.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a configuration: every problem at once, the nearest keys, and old key names read as new ones. */
class ConfigReaderTest {
    /** A rename for the tests only: the product's table ({@link SiloConfig#RENAMED}) has no entry yet. */
    private static final List<SiloConfig.Renamed> RENAMED = List.of(
            new SiloConfig.Renamed("archive.mover-count", "archive.movers", "0.2.0"),
            new SiloConfig.Renamed("wire.idle", "wire.session-idle", "0.3.0"));

    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("silo.conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void theProductHasNoRenamedKeyYetAndNoOldNameIsAKey() {
        // git log -p of SiloConfig.java and docs/configuration.md: every key added once, none removed or renamed
        assertThat(SiloConfig.RENAMED).isEmpty();
        for (SiloConfig.Renamed r : RENAMED) {
            assertThat(SiloConfig.DEFAULTS).doesNotContainKey(r.oldKey()).containsKey(r.newKey());
        }
    }

    @Test
    void everyProblemIsSaidNotOnlyTheFirst() throws Exception {
        Path f = file("archive.mover = 3\nwire.port = abc\nwire.prot = 7500\nmovers = 4\nxyzzy = 1\n");
        Map<String, String> cli = new LinkedHashMap<>();
        cli.put("files.stage-wait", "soon");
        cli.put("anonymous", "everyone");
        ConfigReader.Report r = ConfigReader.read(f, cli, List.of());
        assertThat(r.config()).isNull();
        assertThat(r.problems())
                .containsExactlyInAnyOrder(
                        "unknown setting 'archive.mover' in " + f
                                + "; did you mean archive.movers, archive.mover-rate or archive.mover-timeout?",
                        "unknown setting 'wire.prot' in " + f + "; did you mean wire.port?",
                        "unknown setting 'movers' in " + f + "; did you mean archive.movers?",
                        "unknown setting 'xyzzy' in " + f
                                + "; none is near it (docs/configuration.md lists every setting;"
                                + " silo server --check-config prints them)",
                        "bad value wire.port = 'abc': a port is a whole number 0..65535 (0: any free port)",
                        "bad value files.stage-wait = 'soon': not a duration: write e.g. 250ms, 30s, 5m, 1h",
                        "bad value anonymous = 'everyone': write auto, none, read or all");
        assertThatThrownBy(() -> SiloConfig.load(f, cli))
                .as("a start refuses with the same lines")
                .hasMessage(String.join("\n", r.problems()));
    }

    @Test
    void badValuesOfEveryKindNameTheirKey() throws Exception {
        Map<String, String> bad = Map.of(
                "wire.max-datagram",
                "70000",
                "reply-cache.retention",
                "10s",
                "nbd.require-tls",
                "yes",
                "catalog",
                "mysql://db",
                "listen",
                "1:2:3:zz",
                "archive.movers",
                "-1",
                "reply-cache.bytes",
                "lots",
                "nbd.tls-cert",
                "cert.pem");
        ConfigReader.Report r = ConfigReader.read(null, bad, List.of());
        assertThat(r.problems()).hasSize(bad.size());
        bad.keySet().stream()
                .filter(k -> !k.startsWith("nbd.tls"))
                .forEach(k -> assertThat(r.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("bad value " + k + " = '" + bad.get(k) + "': ")));
        assertThat(r.problems())
                .contains(
                        "bad value wire.max-datagram = '70000': the largest UDP payload is 256..65507",
                        "bad value nbd.require-tls = 'yes': write true or false",
                        "bad value listen = '1:2:3:zz': not an address of this host",
                        "bad value reply-cache.bytes = 'lots': not a size: write bytes or a number with K, M, G, T or P (or KiB, MiB, ...),"
                                + " e.g. 4096, 64M, 1.5G, 10 GiB",
                        "NBD TLS needs both nbd.tls-cert and nbd.tls-key (PEM; the key unencrypted PKCS#8); only nbd.tls-cert is set");
        assertThat(ConfigReader.read(null, Map.of("wire.max-tcp-frame", "1K"), List.of())
                        .problems())
                .containsExactly("bad value wire.max-tcp-frame = '1K': smaller than wire.max-datagram (1200)");
    }

    @Test
    void anOldNameIsReadAsTheNewOneWithAWarning() throws Exception {
        Path f = file("archive.mover-count = 5\n");
        ConfigReader.Report r = ConfigReader.read(f, Map.of("wire.idle", "15m"), RENAMED);
        assertThat(r.problems()).isEmpty();
        assertThat(r.config().integer("archive.movers")).isEqualTo(5);
        assertThat(r.config().get("wire.session-idle")).isEqualTo("15m");
        assertThat(r.config().keys()).doesNotContain("archive.mover-count", "wire.idle");
        assertThat(r.config().origin("archive.movers")).isEqualTo(f + " (as archive.mover-count)");
        assertThat(r.warnings())
                .containsExactly(
                        "setting 'archive.mover-count' in " + f
                                + " was renamed to 'archive.movers' in silo 0.2.0; read as archive.movers = '5'."
                                + " Write archive.movers: the old name may be refused in a later release",
                        "setting 'wire.idle' in the command line was renamed to 'wire.session-idle' in silo 0.3.0; read as"
                                + " wire.session-idle = '15m'. Write wire.session-idle: the old name may be refused in a later release");
        assertThat(r.config().warnings())
                .as("kept for the server to log at start")
                .isEqualTo(r.warnings());
    }

    @Test
    void anOldNameIsCheckedAsTheNewOne() throws Exception {
        ConfigReader.Report r = ConfigReader.read(null, Map.of("archive.mover-count", "many"), RENAMED);
        assertThat(r.problems()).containsExactly("bad value archive.movers = 'many': not a whole number");
        assertThat(r.warnings()).hasSize(1);
    }

    @Test
    void bothNamesInOnePlaceAreRefused() throws Exception {
        Path f = file("archive.mover-count = 5\narchive.movers = 3\n");
        ConfigReader.Report r = ConfigReader.read(f, Map.of(), RENAMED);
        assertThat(r.config()).isNull();
        assertThat(r.problems())
                .containsExactly(
                        "both 'archive.mover-count' and 'archive.movers' are set in " + f
                                + ", and 'archive.mover-count' is the old name of 'archive.movers' (renamed in silo 0.2.0): keep only archive.movers");
    }

    @Test
    void theCommandLineOverridesAFileWhicheverNameEachUses() throws Exception {
        Path f = file("archive.mover-count = 5\n");
        ConfigReader.Report r = ConfigReader.read(f, Map.of("archive.movers", "7"), RENAMED);
        assertThat(r.problems()).isEmpty();
        assertThat(r.config().integer("archive.movers")).isEqualTo(7);
        assertThat(r.config().origin("archive.movers")).isEqualTo("the command line");
        assertThat(r.warnings()).hasSize(1).first().asString().contains("'archive.mover-count' in " + f);
    }

    @Test
    void nearestKeysByEditDistanceThenByTheLastPart() {
        assertThat(ConfigReader.nearestKeys("wire.prot")).containsExactly("wire.port");
        assertThat(ConfigReader.nearestKeys("archive.movrs")).first().isEqualTo("archive.movers");
        assertThat(ConfigReader.nearestKeys("WIRE.PORT")).containsExactly("wire.port");
        assertThat(ConfigReader.nearestKeys("movers")).as("without its section").containsExactly("archive.movers");
        assertThat(ConfigReader.nearestKeys("nbd.idle"))
                .as("in the wrong section")
                .containsExactly("blockhead.idle");
        assertThat(ConfigReader.nearestKeys("session-idel")).containsExactly("wire.session-idle");
        assertThat(ConfigReader.nearestKeys("xyzzy")).isEmpty();
        assertThat(ConfigReader.nearestKeys("x.id"))
                .as("a short last part matches nothing by accident")
                .isEmpty();
    }
}
