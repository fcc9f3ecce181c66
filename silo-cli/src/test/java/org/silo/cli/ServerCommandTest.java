package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.SiloServer;
import org.silo.server.config.SiloConfig;

/** Issue 15: {@code silo server} refuses what it cannot do in one line that says what to change, creating nothing. */
class ServerCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(oldErr);
    }

    /** {@code silo server --data DIR} with every port ephemeral, and more arguments. */
    private int server(Path data, String... more) {
        List<String> args = new ArrayList<>(List.of("server", "--data", data.toString()));
        for (String key : SiloConfig.PORTS.keySet()) {
            args.add("--set");
            args.add(key + "=0");
        }
        args.addAll(List.of(more));
        return Main.run(args.toArray(String[]::new));
    }

    @Test
    void aSettingWithoutAValueIsExplained() {
        Path data = dir.resolve("data");
        assertThat(server(data, "--set", "listen")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("silo: --set listen: write --set KEY=VALUE, e.g. --set listen=0.0.0.0")
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
        try (SiloServer first = SiloServer.start(SiloConfig.defaults(java.util.Map.of("data", data.toString(), "wire.port", "0",
                "blockhead.port", "0", "nbd.port", "0", "control.port", "0", "console.port", "0")))) {
            List<Path> before = entries(data);
            err.reset(); // the first server's log lines
            assertThat(server(data)).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("silo: a silo server already runs with data in " + data
                    + " (pid " + ProcessHandle.current().pid() + ")");
            assertThat(entries(data)).isEqualTo(before);
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
