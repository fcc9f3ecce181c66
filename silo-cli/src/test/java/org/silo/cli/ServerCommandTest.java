package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.config.SiloConfig;

/**
 * {@code silo server} refuses what it cannot do in one line that says what to change, creating nothing
 * (docs/architecture.md, "The server program").
 */
class ServerCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream oldErr;
    private PrintStream oldOut;

    @BeforeEach
    void capture() {
        oldErr = System.err;
        oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(oldErr);
        System.setOut(oldOut);
    }

    /** {@code silo server --data DIR} with every port ephemeral, and more arguments. */
    private int server(Path data, String... more) {
        List<String> args = new ArrayList<>(List.of("server", "--data", data.toString()));
        args.addAll(TestSilo.serverArgs());
        args.addAll(List.of(more));
        return Main.run(args.toArray(String[]::new));
    }

    @Test
    void aSettingWithoutAValueIsExplained() {
        Path data = dir.resolve("data");
        assertThat(server(data, "--set", "listen")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("silo: --set listen: write --set KEY=VALUE, e.g. --set listen=0.0.0.0")
                .doesNotContain("option option");
        assertThat(data).doesNotExist();
    }

    @Test
    void aBadPortIsRefusedBeforeAnythingStarts() {
        Path data = dir.resolve("data");
        assertThat(server(data, "--set", "wire.port=abc")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("silo: bad value wire.port = 'abc': a port is a whole number 0..65535 (0: any free port)");
        assertThat(data).doesNotExist();
    }

    @Test
    void aSecondServerOnTheSameDataSaysSoInOneLine() throws Exception {
        Path data = dir.resolve("data");
        try (SiloServer first = SiloServer.start(TestSilo.config(data))) {
            List<Path> before = entries(data);
            err.reset(); // the first server's log lines
            assertThat(server(data)).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8).strip())
                    .isEqualTo("silo: a silo server already runs with data in " + data + " (pid "
                            + ProcessHandle.current().pid() + ")");
            assertThat(entries(data)).isEqualTo(before);
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** A start refuses a mistyped key naming the nearest ones, and says every problem, not the first alone. */
    @Test
    void aStartSaysEveryProblemWithTheNearestKey() {
        Path data = dir.resolve("data");
        assertThat(server(data, "--set", "archive.movrs=3", "--set", "wire.max-datagram=big"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(
                        "silo: unknown setting 'archive.movrs' in the command line; did you mean archive.movers?",
                        "silo: bad value wire.max-datagram = 'big': not a whole number");
        assertThat(data).doesNotExist();
    }

    /**
     * --check-config of a valid configuration: the settings a start would use, and nothing started (a port
     * in use does not matter: it binds nothing; the data directory is not made; the command returns).
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // a start would never return: a hang guard only
    void checkConfigPrintsTheConfigurationAndStartsNothing() throws Exception {
        Path data = dir.resolve("data");
        Path conf = dir.resolve("silo.conf");
        Files.writeString(conf, "name = lab\ncatalog = jdbc:postgresql://db/silo?user=silo&password=secret\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(server(
                            data,
                            "--config",
                            conf.toString(),
                            "--set",
                            "control.port=" + taken.getLocalPort(),
                            "--check-config"))
                    .isZero();
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .startsWith("# silo ")
                .contains(": this configuration is valid;")
                .contains(
                        "# from " + conf + "\nname = lab\n",
                        "# from the command line\nwire.port = 0\n",
                        "\nlisten = 127.0.0.1\n",
                        "\nblockhead.default-image =\n",
                        "# from the command line\ndata = " + data + "\n")
                .as("no password in the output")
                .contains("catalog = jdbc:postgresql://db/silo?user=silo&password=***\n")
                .doesNotContain("secret");
        assertThat(text.lines().filter(l -> !l.startsWith("#"))).hasSize(SiloConfig.DEFAULTS.size());
        Properties read = new Properties();
        read.load(new java.io.StringReader(text));
        assertThat(read.getProperty("archive.movers"))
                .as("a file --config reads")
                .isEqualTo("2");
        assertThat(data).as("no data directory made").doesNotExist();
    }

    @Test
    void checkConfigSaysEveryProblemAndFails() throws Exception {
        Path data = dir.resolve("data");
        Path conf = dir.resolve("silo.conf");
        Files.writeString(conf, "archive.mover = 3\nblockhead.idle = soon\nsession-idle = 10m\n");
        assertThat(server(data, "--config", conf.toString(), "--set", "nbd.require-tls=yes", "--check-config"))
                .isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("no configuration printed")
                .isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8).lines())
                .containsExactlyInAnyOrder(
                        "silo: unknown setting 'archive.mover' in " + conf
                                + "; did you mean archive.movers, archive.mover-rate or archive.mover-timeout?",
                        "silo: unknown setting 'session-idle' in " + conf + "; did you mean wire.session-idle?",
                        "silo: bad value blockhead.idle = 'soon': not a duration: write e.g. 250ms, 30s, 5m, 1h",
                        "silo: bad value nbd.require-tls = 'yes': write true or false",
                        "silo: the configuration has 4 problems; a start would be refused");
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
                .last()
                .asString()
                .startsWith("silo: the configuration has 4");
        assertThat(data).doesNotExist();
    }

    /** Renamed keys are said as warnings, and the configuration is still valid (the table is the tests' own). */
    @Test
    void checkConfigSaysRenamedKeysAsWarnings() {
        var report = new org.silo.server.config.ConfigReader.Report(
                SiloConfig.defaults(java.util.Map.of()),
                List.of(),
                List.of(
                        "setting 'archive.mover-count' in the command line was renamed to 'archive.movers' in silo 0.2.0; ..."));
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(ConfigCheck.print(report, null, o, e)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("silo: warning: setting 'archive.mover-count' in the command line was"
                        + " renamed to 'archive.movers' in silo 0.2.0; ...\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("archive.movers = 2");
    }
}
