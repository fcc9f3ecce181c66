package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --server} and {@code $SILO_SERVER} as lists, with bin/silo in processes of its own: the first
 * server of the list is a closed port, so the command moves to the second, says so on stderr and succeeds;
 * a malformed list is a usage mistake that names what is wrong.
 */
class ServerListIT {
    @TempDir
    Path dir;

    SiloProcesses silo;
    String dead;

    @BeforeEach
    void start() throws Exception {
        silo = new SiloProcesses(dir);
        silo.startServer(0);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            dead = "127.0.0.1:" + s.getLocalPort(); // closed again below: nothing answers there
        }
    }

    @AfterEach
    void stop() throws Exception {
        silo.close();
    }

    /** bin/silo ARGS with this environment: exit status, standard output, standard error. */
    private Ran run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SiloProcesses.SILO.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().remove("SILO_SERVER");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        return new Ran(p.exitValue(), out, Files.readString(dir.resolve("err.txt")));
    }

    record Ran(int exit, String out, String err) {}

    @Test
    @Timeout(600)
    void aCommandWhoseFirstServerIsDownMovesToTheNextAndSaysSo() throws Exception {
        Ran mkdir = run(Map.of(), "mkdir", "/moved", "--server=" + dead + "," + silo.at);
        assertThat(mkdir.exit()).as(mkdir.err()).isZero();
        assertThat(mkdir.err()).contains("silo: no answer from " + dead + "; moved to " + silo.at);

        Ran ls = run(Map.of("SILO_SERVER", dead + "," + silo.at), "ls", "/");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out()).contains("moved");
        assertThat(ls.err()).contains("silo: no answer from " + dead + "; moved to " + silo.at);
    }

    @Test
    @Timeout(600)
    void aMalformedListIsAUsageMistake() throws Exception {
        Ran empty = run(Map.of(), "ls", "/", "--server=" + silo.at + ",," + silo.at);
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("an empty entry");

        Ran port = run(Map.of(), "ls", "/", "--server=" + silo.at + ",localhost:99999");
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).contains("port must be 1..65535");

        Ran env = run(Map.of("SILO_SERVER", "a:7400,,b"), "ls", "/");
        assertThat(env.exit()).isNotZero();
        assertThat(env.err()).contains("$SILO_SERVER").contains("an empty entry");
    }
}
