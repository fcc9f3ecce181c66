package org.silo.dist;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.silo.cli.Main;
import org.silo.server.Version;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Makes the files a release holds besides the launcher and the docs, from the real code, at build time
 * (silo-dist's pom runs it in prepare-package; docs/operations.md, "What a release holds"):
 * <pre>
 * OUT/lib/silo.jar             the runnable jar this class was run with
 * OUT/silo.conf                every setting, commented, at its default (ExampleConfig)
 * OUT/deb/silo.conf            the same, with data = /var/lib/silo set, for /etc/silo/silo.conf
 * OUT/completion/silo          bash completion (picocli's AutoComplete)
 * OUT/man/adoc/*.adoc          a man page per command and subcommand (picocli's ManPageGenerator) ...
 * OUT/man/man1/*.1             ... turned into troff by Asciidoctor, when it is installed ...
 * OUT/man/gz/*.1.gz            ... and compressed, as Debian installs man pages
 * </pre>
 * Usage: {@code ReleaseFiles OUT docs/configuration.md}.
 */
public final class ReleaseFiles {
    /** Where the package's unit lets the server write (silo.service: StateDirectory, ReadWritePaths). */
    static final String PACKAGE_DATA = "/var/lib/silo";

    private ReleaseFiles() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ReleaseFiles OUT-DIR docs/configuration.md");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Map<String, String> descriptions = ExampleConfig.descriptions(Path.of(args[1]));
        copyJar(out.resolve("lib/silo.jar"));
        write(out.resolve("silo.conf"), ExampleConfig.text(descriptions, Map.of(), ""));
        write(
                out.resolve("deb/silo.conf"),
                ExampleConfig.text(
                        descriptions,
                        Map.of("data", PACKAGE_DATA),
                        "set by the Debian package: silo.service lets the server write only here"));
        write(out.resolve("completion/silo"), AutoComplete.bash("silo", commandLine()));
        manPages(out.resolve("man"));
    }

    /**
     * Main's whole command tree, every command's version set to silo's alone (a man page's footer names
     * it; the build's JVM, which 'silo --version' adds, is no business of a man page).
     */
    static CommandLine commandLine() {
        CommandLine cl = Main.allCommands();
        versions(cl);
        return cl;
    }

    private static void versions(CommandLine cl) {
        cl.getCommandSpec().versionProvider(() -> new String[] {"silo " + Version.VERSION});
        cl.getSubcommands().values().forEach(ReleaseFiles::versions);
    }

    /** The shaded jar Main was loaded from: the one bin/silo runs. */
    private static void copyJar(Path to) throws IOException, URISyntaxException {
        Path jar = Path.of(
                Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("org.silo.cli.Main was loaded from " + jar
                    + ", not from silo-cli's jar: run 'package' on silo-cli first");
        }
        Files.createDirectories(to.getParent());
        Files.copy(jar, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static void manPages(Path man) throws IOException, InterruptedException {
        Path adoc = man.resolve("adoc");
        Path troff = man.resolve("man1");
        Path gz = man.resolve("gz");
        for (Path d : List.of(adoc, troff, gz)) {
            clear(d);
        }
        int status = ManPageGenerator.generateManPage(
                adoc.toFile(), null, new boolean[0], true, commandLine().getCommandSpec());
        if (status != 0) {
            throw new IllegalStateException("picocli's ManPageGenerator failed (" + status + ")");
        }
        List<String> cmd = new ArrayList<>(List.of(
                "asciidoctor",
                "--backend",
                "manpage",
                "--failure-level",
                "WARN",
                "--destination-dir",
                troff.toString()));
        try (Stream<Path> s = Files.list(adoc)) {
            s.sorted().forEach(p -> cmd.add(p.toString()));
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).inheritIO().start();
        } catch (IOException e) {
            // the build goes on without man pages; DebianPackageIT says they are missing and why
            System.err.println(
                    "[WARNING] asciidoctor is not installed ('apt-get install asciidoctor'): the release has no man pages");
            return;
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(
                    "asciidoctor failed on the generated man pages (" + String.join(" ", cmd.subList(0, 6)) + " ...)");
        }
        try (Stream<Path> s = Files.list(troff)) {
            for (Path page : s.sorted().toList()) {
                // Java's gzip header carries no file name and time 0: the same page gives the same bytes
                try (OutputStream o =
                        new GZIPOutputStream(Files.newOutputStream(gz.resolve(page.getFileName() + ".gz")))) {
                    Files.copy(page, o);
                }
            }
        }
    }

    private static void clear(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        Files.createDirectories(dir);
    }
}
