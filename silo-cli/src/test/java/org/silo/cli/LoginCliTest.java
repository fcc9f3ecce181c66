package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;

/** docs/security.md as a person types it: the first admin, login, a refusal, logout. */
class LoginCliTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream oldOut = System.out;
    private final PrintStream oldErr = System.err;
    private final InputStream oldIn = System.in;

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        System.setIn(oldIn);
        System.clearProperty("silo.config.home");
    }

    private int run(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        return Main.run(args);
    }

    @Test
    void firstAdminLoginRefusalLogout() throws Exception {
        Path data = dir.resolve("data");
        System.setProperty("silo.config.home", dir.resolve("config").toString());
        assertThat(run("s3cret\n", "user", "add", "root", "--admin", "--password-stdin", "--data", data.toString()))
                .isZero();
        try (SiloServer server = SiloServer.start(TestSilo.config(data, "anonymous", "read"))) {
            String at = "--server=127.0.0.1:" + server.wirePort();

            assertThat(run("", "disk", "create", "d1", "--size", "1M", at))
                    .as("anonymous may only read")
                    .isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("silo: refused: needs admin on block:d1");

            err.reset();
            assertThat(run("", "vol", "rm", "DEF001", at))
                    .as("deleting a volume needs admin")
                    .isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("needs admin on archive:vol:DEF001")
                    .doesNotContain("PERMISSION");

            assertThat(run("wrong\n", "login", "root", "--password-stdin", at)).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("wrong password");

            assertThat(run("s3cret\n", "login", "root", "--password-stdin", at)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("logged in to 127.0.0.1:" + server.wirePort() + " as root");
            Path saved = dir.resolve("config/logins.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(saved)).doesNotContain("s3cret");

            assertThat(run("", "disk", "create", "d1", "--size", "1M", at))
                    .as("the saved login is used")
                    .isZero();
            assertThat(run("pw2\n", "user", "add", "bob", "--grant", "block:bob-:admin", "--password-stdin", at))
                    .isZero();
            out.reset();
            assertThat(run("", "acl", "ls", at)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("root", "admin", "bob", "block:bob-:admin", "(anonymous)", "*::read");

            assertThat(run("", "logout", at)).isZero();
            err.reset();
            assertThat(run("", "disk", "rm", "d1", at)).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs admin on block:d1");
        }
    }
}
