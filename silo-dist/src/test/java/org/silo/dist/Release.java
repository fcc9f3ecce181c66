package org.silo.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** What the package phase made, and the tools the end-to-end tests run it with. */
final class Release {
    static final Path ROOT =
            Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    static final Path TARGET = Path.of(System.getProperty("silo.target", "target"))
            .toAbsolutePath()
            .normalize();
    static final String VERSION = System.getProperty("silo.version", "0.1.0-SNAPSHOT");
    static final Path TARBALL = TARGET.resolve("silo-" + VERSION + ".tar.gz");
    /** jdeb writes a SNAPSHOT's Debian version with '~', which sorts before the release itself. */
    static final Path DEB = TARGET.resolve("silo_" + VERSION.replace('-', '~') + "_all.deb");

    private Release() {}

    record Done(int exit, String output) {}

    /** A command run to its end in {@code dir} with {@code env} added, standard error with its output. */
    static Done run(Path dir, Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES))
                .as("%s ends", String.join(" ", cmd))
                .isTrue();
        return new Done(p.exitValue(), out);
    }

    static Done ok(Path dir, String... cmd) throws IOException, InterruptedException {
        Done d = run(dir, Map.of(), cmd);
        assertThat(d.exit()).as("%s: %s", String.join(" ", cmd), d.output()).isZero();
        return d;
    }

    /** Whether {@code tool} is on this PATH. */
    static boolean installed(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every command of the real {@code silo} by its name as man pages spell it ("silo-disk-create"),
     * from picocli's model of Main, the same one the man pages and the completion are made from.
     */
    static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        walk(ReleaseFiles.commandLine(), new ArrayList<>(), all);
        return all;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> into) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            List<String> p = new ArrayList<>(path);
            p.add(sub.getCommandName());
            if (!into.contains(p)) { // an alias maps to the same CommandLine
                into.add(p);
                walk(sub, p, into);
            }
        }
    }
}
