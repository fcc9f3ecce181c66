package org.silo.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.config.SiloConfig;

/** The example silo.conf against the server's own key list and its own loader. */
class ExampleConfigTest {
    static final Path ROOT =
            Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    static final Pattern SETTING = Pattern.compile("^#?([a-z][a-z0-9.-]*) = (.*)$");

    /** Every setting line of a silo.conf, commented or not: key to value. */
    static Map<String, String> settings(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher s = SETTING.matcher(line);
            if (s.matches()) {
                assertThat(m.put(s.group(1), s.group(2)))
                        .as("%s appears once", s.group(1))
                        .isNull();
            }
        }
        return m;
    }

    private static String example(Map<String, String> active) throws Exception {
        return ExampleConfig.text(ExampleConfig.descriptions(ROOT.resolve("docs/configuration.md")), active, "why");
    }

    @Test
    void everyKeyTheServerKnowsIsThereWithItsDefault() throws Exception {
        assertThat(settings(example(Map.of()))).containsExactlyInAnyOrderEntriesOf(SiloConfig.DEFAULTS);
    }

    @Test
    void theServerLoadsItWithEveryLineUncommented(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("silo.conf");
        Files.writeString(conf, example(Map.of()).replaceAll("(?m)^#([a-z][a-z0-9.-]* = )", "$1"));
        SiloConfig c = SiloConfig.load(conf, Map.of());
        for (String key : SiloConfig.DEFAULTS.keySet()) {
            assertThat(c.get(key)).as(key).isEqualTo(SiloConfig.DEFAULTS.get(key));
        }
    }

    @Test
    void asShippedEverythingIsCommentedOut() throws Exception {
        assertThat(example(Map.of()).lines().filter(l -> !l.isEmpty() && !l.startsWith("#")))
                .isEmpty();
    }

    @Test
    void thePackagesFileSetsItsDataDirectoryAndNothingElse(@TempDir Path dir) throws Exception {
        String text = example(Map.of("data", "/var/lib/silo"));
        assertThat(text.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")))
                .containsExactly("data = /var/lib/silo");
        Path conf = dir.resolve("silo.conf");
        Files.writeString(conf, text);
        assertThat(SiloConfig.load(conf, Map.of()).get("data")).isEqualTo("/var/lib/silo");
    }

    @Test
    void aKeyTheDocsDoNotDescribeStopsTheBuild(@TempDir Path dir) throws Exception {
        Path docs = dir.resolve("configuration.md");
        String real = Files.readString(ROOT.resolve("docs/configuration.md"));
        Files.writeString(
                docs, real.replaceAll("(?m)^\\| `wire\\.port` .*\\n", "") + "| `wire.prot` | `1` | a typo |\n");
        assertThatThrownBy(() -> ExampleConfig.text(ExampleConfig.descriptions(docs), Map.of(), ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no row for [wire.port]")
                .hasMessageContaining("unknown keys [wire.prot]");
    }
}
