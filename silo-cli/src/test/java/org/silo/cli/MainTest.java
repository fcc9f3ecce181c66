package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.silo.server.Version;
import picocli.CommandLine;

/**
 * Main registers only the command a line names (a start-up saving); what it prints must not change. A
 * command line that does not parse gets a short answer: the error, the usage line, where the help is.
 */
class MainTest {

    @Test
    void eachCommandIsRegisteredUnderTheNameItDeclares() {
        for (Map.Entry<String, Class<?>> e : Main.COMMANDS.entrySet()) {
            assertThat(new CommandLine(e.getValue()).getCommandName())
                    .as(e.getValue().getName())
                    .isEqualTo(e.getKey());
        }
    }

    @Test
    void aNamedCommandBringsOnlyItselfAndHelpBringsAll() {
        assertThat(Main.commandsFor("ls", "/")).containsExactly(NsCommands.Ls.class);
        assertThat(Main.commandsFor("server", "--data", "x")).containsExactly(ServerCommand.class);
        assertThat(Main.commandsFor("--version")).isEmpty();
        assertThat(Main.commandsFor()).hasSameElementsAs(Main.COMMANDS.values());
        assertThat(Main.commandsFor("--help")).hasSameElementsAs(Main.COMMANDS.values());
        assertThat(Main.commandsFor("help", "ls")).hasSameElementsAs(Main.COMMANDS.values());
        assertThat(Main.commandsFor("lss")).hasSameElementsAs(Main.COMMANDS.values());
    }

    @Test
    void helpListsEveryCommand() {
        String help = capture("--help");
        for (String name : Main.COMMANDS.keySet()) {
            assertThat(help).containsPattern("(?m)^  " + name + " ");
        }
        assertThat(capture("help", "ls")).contains("List an archive directory, by name.", "silo ls /");
    }

    @Test
    void versionIsOneLineNamingSiloJavaAndTheCatalogSchema() {
        assertThat(capture("--version"))
                .isEqualTo("silo " + Version.VERSION + " (Java " + Runtime.version() + "; catalog schema "
                        + org.silo.archive.catalog.Schema.VERSION + ")\n");
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        assertThat(mistake("lss", "/")).contains("'lss' is not a silo command.", "Did you mean silo ls?");
    }

    /** picocli's own guess compares pairs of letters: 'pt' shares none with 'put' and got no suggestion. */
    @Test
    void aMistypedWordGetsTheNearestNames() {
        assertThat(mistake("pt", "notes.txt", "/exp/")).contains("Did you mean silo put?");
        assertThat(mistake("stauts")).contains("Did you mean silo status or silo stat?");
        assertThat(mistake("vol", "ad", "TAPE01"))
                .contains("'ad' is not a silo vol command.", "Did you mean silo vol add?");
        assertThat(mistake("put", "--cop", "2", "a", "/exp/"))
                .contains("Unknown option: '--cop'", "Did you mean --copies?");
        assertThat(mistake("help", "pt")).contains("Did you mean silo help put?");
        assertThat(mistake("xyzzy")).doesNotContain("Did you mean");
        assertThat(Usage.near("mov", List.of("mv", "mover", "mkdir"))).containsExactly("mv", "mover");
    }

    /** The error, the usage line and where the help is: the whole help would scroll the error away. */
    @Test
    void aMissingDestinationIsOneLineThenTheUsage() {
        assertThat(mistake("put", "results/run1.dat").lines())
                .containsExactly(
                        "silo: missing DEST: the archive path to write to, after the local files (e.g. silo put results/run1.dat /exp/)",
                        "Usage: silo put [OPTIONS] SRC... DEST",
                        "See 'silo put --help'.");
        assertThat(mistake("get", "/exp/a.dat").lines())
                .hasSize(3)
                .first()
                .asString()
                .startsWith("silo: missing DEST: a local file");
    }

    @Test
    void everyCommandAnswersAParameterErrorInThreeLines() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(() -> 80), all);
        assertThat(all).hasSizeGreaterThan(50);
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            if (c.getCommand() instanceof CommandLine.HelpCommand) {
                continue; // picocli's: it takes an unknown option for the name of a command and shows the usage
            }
            List<String> line = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            line.add("--no-such-option");
            assertThat(mistake(line.toArray(String[]::new)).lines())
                    .as(name)
                    .hasSize(3)
                    .satisfies(l -> assertThat(l.get(0))
                            .startsWith("silo: ")
                            .containsAnyOf("--no-such-option", "Missing required"))
                    .satisfies(l -> assertThat(l.get(1)).startsWith("Usage: " + name + " "))
                    .satisfies(l -> assertThat(l.get(2)).isEqualTo("See '" + name + " --help'."));
        }
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        new LinkedHashSet<>(c.getSubcommands().values()).forEach(sub -> collect(sub, into));
    }

    /** What a command line that does not parse prints on standard error; its exit status must be 2, and nothing on standard output. */
    private static String mistake(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).as(String.join(" ", args)).isEqualTo(2);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as(String.join(" ", args))
                .isEmpty();
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
