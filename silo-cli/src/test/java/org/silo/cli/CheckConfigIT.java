package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/silo server --check-config} as a site runs it before a restart: its exit status, what it
 * says on which stream, and that it returns having made nothing (docs/configuration.md, "Checking a
 * configuration").
 */
class CheckConfigIT {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private Run silo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SiloProcesses.SILO.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES))
                .as("it returns: a start would not")
                .isTrue();
        return new Run(p.exitValue(), out, Files.readString(dir.resolve("err.txt")));
    }

    @Test
    void aConfigurationWithMistakesIsRefusedWithEveryOne() throws Exception {
        Path conf = dir.resolve("silo.conf");
        Files.writeString(
                conf,
                "# a lab server\nname = lab\narchive.movrs = 4\nwire.session-idle = forever\nlisten = 127.0.0.1\n");
        Path data = dir.resolve("data");
        Run r = silo(
                "server",
                "--config",
                conf.toString(),
                "--data",
                data.toString(),
                "--set",
                "blockhead.prot=4445",
                "--check-config");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines())
                .containsExactlyInAnyOrder(
                        "silo: unknown setting 'archive.movrs' in " + conf + "; did you mean archive.movers?",
                        "silo: unknown setting 'blockhead.prot' in the command line; did you mean blockhead.port?",
                        "silo: bad value wire.session-idle = 'forever': not a duration: write e.g. 250ms, 30s, 5m, 1h",
                        "silo: the configuration has 3 problems; a start would be refused");
        assertThat(data).doesNotExist();
    }

    @Test
    void aValidConfigurationIsPrintedAndExitsZero() throws Exception {
        Path conf = dir.resolve("silo.conf");
        Files.writeString(conf, "name = lab\narchive.movers = 4\n");
        Path data = dir.resolve("data");
        Run r = silo("server", "--config", conf.toString(), "--data", data.toString(), "--check-config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains(
                        "# from " + conf + "\narchive.movers = 4\n",
                        "# from " + conf + "\nname = lab\n",
                        "\nwire.port = 7400\n",
                        "# from the command line\ndata = " + data + "\n");
        assertThat(data).doesNotExist();
    }
}
