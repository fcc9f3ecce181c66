package org.silo.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.config.SiloConfig;

/**
 * silo_VERSION_all.deb, unpacked into a scratch root with dpkg-deb (no dpkg -i: the test must not
 * change this machine): its control fields and scripts, where every file goes, the unit (and
 * systemd-analyze verify on it), and man pages and completion for every command.
 */
class DebianPackageIT {
    @TempDir
    static Path scratch;

    static Path root;
    static Path control;

    @BeforeAll
    static void unpack() throws Exception {
        root = Files.createDirectories(scratch.resolve("root"));
        control = scratch.resolve("control");
        Release.ok(scratch, "dpkg-deb", "-x", Release.DEB.toString(), root.toString());
        Release.ok(scratch, "dpkg-deb", "-e", Release.DEB.toString(), control.toString());
    }

    private static String field(String name) throws Exception {
        return Release.ok(scratch, "dpkg-deb", "-f", Release.DEB.toString(), name)
                .output()
                .trim();
    }

    @Test
    void controlFieldsSayWhatItNeeds() throws Exception {
        assertThat(field("Package")).isEqualTo("silo");
        assertThat(field("Architecture")).isEqualTo("all");
        assertThat(field("Version")).isEqualTo(Release.VERSION.replace('-', '~'));
        // any Java >= 21: Debian's OpenJDK packages each provide javaN-runtime-headless for every N up to their own
        assertThat(field("Depends"))
                .contains("openjdk-21-jre-headless | openjdk-25-jre-headless | java21-runtime-headless")
                .contains("adduser");
        assertThat(control.resolve("conffiles")).content().isEqualToIgnoringNewLines("/etc/silo/silo.conf");
    }

    @Test
    void postinstMakesTheSystemUserAndGivesItTheDataDirectory() throws Exception {
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(control.resolve(script)).isExecutable();
            Release.ok(scratch, "sh", "-n", control.resolve(script).toString());
        }
        assertThat(control.resolve("postinst"))
                .content()
                .contains("adduser --system --group")
                .contains("--home /var/lib/silo")
                .contains("chown silo:silo /var/lib/silo");
    }

    @Test
    void filesGoWhereDebianKeepsThem() throws Exception {
        Path launcher = root.resolve("usr/share/silo/bin/silo");
        assertThat(launcher).isExecutable().hasSameBinaryContentAs(Release.ROOT.resolve("bin/silo"));
        assertThat(root.resolve("usr/share/silo/lib/silo.jar")).isRegularFile();
        Path bin = root.resolve("usr/bin/silo");
        assertThat(Files.isSymbolicLink(bin)).isTrue();
        assertThat(bin.toRealPath()).isEqualTo(launcher.toRealPath());
        assertThat(root.resolve("var/lib/silo")).isDirectory();
        assertThat(root.resolve("usr/share/bash-completion/completions/silo")).isRegularFile();
        assertThat(root.resolve("usr/share/doc/silo/copyright")).content().contains("Apache-2.0");
        assertThat(root.resolve("usr/share/doc/silo/docs/operations.md")).isRegularFile();

        // /etc/silo/silo.conf: every key at its default but the data directory, which the unit lets it write
        Map<String, String> expected = new HashMap<>(SiloConfig.DEFAULTS);
        expected.put("data", "/var/lib/silo");
        assertThat(ExampleConfigTest.settings(Files.readString(root.resolve("etc/silo/silo.conf"))))
                .containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void theInstalledCommandRunsThroughItsLink() throws Exception {
        Release.Done v = Release.run(
                scratch, Map.of("SILO_AOT", "0"), root.resolve("usr/bin/silo").toString(), "--version");
        assertThat(v.exit()).as(v.output()).isZero();
        assertThat(v.output()).startsWith("silo " + Release.VERSION);
    }

    @Test
    void theUnitRunsAsSiloHardenedAndIsReadyWhenTheServerSaysSo() throws IOException {
        String unit = Files.readString(root.resolve("usr/lib/systemd/system/silo.service"));
        assertThat(unit.lines())
                .contains(
                        "Type=notify",
                        "NotifyAccess=main",
                        "User=silo",
                        "ExecStart=/usr/bin/silo server --config /etc/silo/silo.conf",
                        "Restart=on-failure",
                        "StateDirectory=silo",
                        "ProtectSystem=strict",
                        "ReadWritePaths=/var/lib/silo",
                        "NoNewPrivileges=yes",
                        "PrivateTmp=yes",
                        "ProtectHome=yes",
                        "WantedBy=multi-user.target");
        assertThat(unit.lines()).noneMatch(l -> l.startsWith("MemoryDenyWriteExecute")); // the JIT writes code
    }

    /**
     * systemd's own check of the unit, in the scratch root so that ExecStart's /usr/bin/silo is the
     * package's; the host's units are copied in for the targets it names. Its warnings (an unknown key,
     * a bad value) do not change its exit status, so any output fails too.
     */
    @Test
    void systemdAnalyzeVerifiesTheUnit() throws Exception {
        assumeTrue(
                Release.installed("systemd-analyze"),
                "systemd-analyze is not installed ('apt-get install systemd'): the unit is not verified");
        Path units = root.resolve("usr/lib/systemd/system");
        for (Path hostUnits : List.of(Path.of("/usr/lib/systemd/system"), Path.of("/lib/systemd/system"))) {
            if (Files.isDirectory(hostUnits)) {
                Release.ok(scratch, "cp", "-rn", hostUnits + "/.", units.toString());
            }
        }
        Release.Done verify = Release.run(
                scratch,
                Map.of(),
                "systemd-analyze",
                "verify",
                "--man=no",
                "--root=" + root,
                units.resolve("silo.service").toString());
        assertThat(verify.exit()).as(verify.output()).isZero();
        assertThat(verify.output()).isEmpty();
    }

    @Test
    void everyCommandHasAManPage() throws Exception {
        assumeTrue(
                Release.installed("asciidoctor"),
                "asciidoctor is not installed ('apt-get install asciidoctor'): the build made no man pages");
        Path man1 = root.resolve("usr/share/man/man1");
        String top = gunzip(man1.resolve("silo.1.gz"));
        for (List<String> command : Release.commands()) {
            String name = "silo-" + String.join("-", command);
            Path page = man1.resolve(name + ".1.gz");
            assertThat(page).as(name).isRegularFile();
            assertThat(gunzip(page))
                    .as(name)
                    .contains(".TH \"" + name.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-") + "\"")
                    .contains("\"silo " + Release.VERSION.replace("-", "\\-") + "\"");
            if (command.size() == 1) {
                assertThat(top).as("silo(1) lists %s", name).contains("\\fB" + command.get(0) + "\\fP");
            }
        }
        try (var pages = Files.list(man1)) {
            assertThat(pages.count())
                    .as("no page for a command that is not there")
                    .isEqualTo(Release.commands().size() + 1);
        }
    }

    @Test
    void manSiloPutWorks() throws Exception {
        assumeTrue(
                Release.installed("asciidoctor"),
                "asciidoctor is not installed ('apt-get install asciidoctor'): the build made no man pages");
        assumeTrue(
                Release.installed("man"),
                "man is not installed ('apt-get install man-db'): 'man silo-put' is not tried");
        Release.Done man = Release.run(
                scratch,
                Map.of("MANPAGER", "cat", "MANWIDTH", "100"),
                "man",
                "-M",
                root.resolve("usr/share/man").toString(),
                "silo-put");
        assertThat(man.exit()).as(man.output()).isZero();
        assertThat(man.output()).contains("silo put", "--copies");
    }

    @Test
    void theCompletionKnowsEveryCommand() throws IOException {
        String completion = Files.readString(root.resolve("usr/share/bash-completion/completions/silo"));
        for (List<String> command : Release.commands()) {
            // picocli's function names drop what bash names cannot hold: disk rm-snapshot is _disk_rmsnapshot
            assertThat(completion)
                    .as(String.join(" ", command))
                    .contains("function _picocli_silo_"
                            + String.join("_", command).replace("-", "") + "()")
                    .contains(command.getLast());
        }
    }

    private static String gunzip(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
