package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, for real: {@code bin/silo server} in its own process (every port ephemeral,
 * so it runs beside a real server), then {@code bin/silo ping} and {@code bin/silo status} against it.
 */
class BinSiloIT {
    private static final Path ROOT = Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    private static final Path SILO = ROOT.resolve("bin/silo");
    private static final Pattern READY = Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+)");
    private Process server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();
        }
    }

    private String startServer(Path data) throws IOException {
        server = new ProcessBuilder(SILO.toString(), "server", "--data", data.toString(),
                "--set", "wire.port=0", "--set", "blockhead.port=0", "--set", "nbd.port=0")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                return m.group(1) + ":" + m.group(2);
            }
        }
        throw new AssertionError("the server never said it was ready:\n" + seen);
    }

    private static Result run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = SILO.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), text);
    }

    record Result(int exit, String output) {}

    @Test
    @Timeout(120)
    void serverThenPingThenStatus(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("silo-data");
        String at = startServer(data);
        assertThat(Files.isDirectory(data)).isTrue();

        Result ping = run("ping", "--server", at, "--count", "3");
        assertThat(ping.exit()).as(ping.output()).isZero();
        assertThat(ping.output()).contains("3 calls, 3 answered, 0 failed").doesNotContain("WARNING");

        Result status = run("status", "--server", at);
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).contains("version", "sessions");
    }

    @Test
    @Timeout(60)
    void helpTeaches() throws Exception {
        Result help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.output()).contains("server", "ping", "status", "Examples:");
    }
}
