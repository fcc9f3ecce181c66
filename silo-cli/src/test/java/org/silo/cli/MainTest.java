package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.silo.server.Version;
import picocli.CommandLine;

/** Main registers only the command a line names (a start-up saving); what it prints must not change. */
class MainTest {

    @Test
    void eachCommandIsRegisteredUnderTheNameItDeclares() {
        for (Map.Entry<String, Class<?>> e : Main.COMMANDS.entrySet()) {
            assertThat(new CommandLine(e.getValue()).getCommandName()).as(e.getValue().getName()).isEqualTo(e.getKey());
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
    void versionIsOneLineNamingSiloAndJava() {
        assertThat(capture("--version")).isEqualTo("silo " + Version.VERSION + " (Java " + Runtime.version() + ")\n");
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("lss", "/")).isEqualTo(2);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("lss", "ls");
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
