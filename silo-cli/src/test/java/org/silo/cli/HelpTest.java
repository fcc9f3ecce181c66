package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's help, as a person reads it: the real command tree (Main's), every command and
 * subcommand, laid out at 80 and at 120 columns (docs/cli.md).
 */
class HelpTest {

    /** Every command and subcommand, the root first. */
    private static List<CommandLine> everyCommand(int width) {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(() -> width), all);
        return all;
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        for (CommandLine sub : new LinkedHashSet<>(c.getSubcommands().values())) { // an alias maps to the same one
            collect(sub, into);
        }
    }

    private static String name(CommandLine c) {
        return c.getCommandSpec().qualifiedName();
    }

    /**
     * picocli lists a command in its parent's help by the first line of its header or, without one (all
     * of ours), of its description: that line must be a whole short sentence, not the start of one that
     * the next line finishes.
     */
    @Test
    void everySummaryIsAWholeSentence() {
        SoftAssertions soft = new SoftAssertions();
        for (CommandLine c : everyCommand(80)) {
            CommandLine.Model.UsageMessageSpec usage = c.getCommandSpec().usageMessage();
            String[] summary = usage.header().length > 0 ? usage.header() : usage.description();
            soft.assertThat(summary).as("%s has a description", name(c)).isNotEmpty();
            if (summary.length > 0) {
                soft.assertThat(summary[0])
                        .as("the summary of %s", name(c))
                        .matches("[A-Z][^\\n]*[^.][.]")
                        .doesNotEndWith("e.g.")
                        .hasSizeLessThanOrEqualTo(90);
            }
        }
        soft.assertAll();
    }

    /**
     * picocli wraps each line of a description by itself: a text broken by hand into lines of the width
     * someone had wraps again at any other width, leaving a word or two on a line of their own. So each
     * line of a description is a paragraph, ending as a sentence or a list's heading does.
     */
    @Test
    void everyDescriptionLineIsAParagraph() {
        SoftAssertions soft = new SoftAssertions();
        for (CommandLine c : everyCommand(80)) {
            CommandSpec spec = c.getCommandSpec();
            checkParagraphs(soft, name(c), spec.usageMessage().description());
            for (ArgSpec arg : spec.args()) {
                String label = arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel();
                soft.assertThat(arg.description())
                        .as("%s %s has a description", name(c), label)
                        .isNotEmpty();
                checkParagraphs(soft, name(c) + " " + label, arg.description());
            }
        }
        soft.assertAll();
    }

    private static void checkParagraphs(SoftAssertions soft, String what, String[] lines) {
        for (String line : lines) {
            if (!line.isBlank()) {
                soft.assertThat(line.replace("%n", ""))
                        .as("a line of the description of %s", what)
                        .matches("(?s).*[.:?!]\\)?");
            }
        }
    }

    /** No line wider than the width; no word left alone on a line; every example line whole. */
    @ParameterizedTest
    @ValueSource(ints = {80, 120})
    void everyHelpFitsTheWidthAndNothingIsCut(int width) {
        SoftAssertions soft = new SoftAssertions();
        for (CommandLine c : everyCommand(width)) {
            String help = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            List<String> lines = help.lines().toList();
            for (String line : lines) {
                soft.assertThat(line.length())
                        .as("at %d columns, the help of %s has a line too long:%n%s", width, name(c), line)
                        .isLessThanOrEqualTo(width);
                String word = line.strip();
                boolean alone = !word.isEmpty() && !word.contains(" ");
                // alone on its line may be a heading ("Examples:") or an option too long for its column
                soft.assertThat(alone && !word.endsWith(":") && !word.startsWith("-"))
                        .as("at %d columns, the help of %s has '%s' alone on a line:%n%s", width, name(c), word, help)
                        .isFalse();
            }
            for (String footer : c.getCommandSpec().usageMessage().footer()) {
                soft.assertThat(lines)
                        .as("at %d columns, the help of %s has this line whole", width, name(c))
                        .contains(footer.stripTrailing());
            }
        }
        soft.assertAll();
    }

    @Test
    void aSourceAndDestinationReadAsOne() {
        CommandLine put = everyCommand(80).stream()
                .filter(c -> name(c).equals("silo put"))
                .findFirst()
                .orElseThrow();
        assertThat(put.getUsageMessage(CommandLine.Help.Ansi.OFF))
                .startsWith("Usage: silo put [OPTIONS] SRC... DEST\n");
    }
}
