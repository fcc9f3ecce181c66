package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.cluster.ServerRoster;

/**
 * The servers of one catalog as each sees the others (docs/architecture.md, "Cluster"): up while its
 * heartbeat moves, stopped once it said so, silent once it missed three beats without saying so (as a
 * killed server does), and up again when it starts at the same address. Clocks are passed in: no test
 * here waits for a beat.
 */
class ServerRosterTest {
    private static final long BEAT = ServerRoster.BEAT.toMillis();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "pg"})
    void everyServerOfTheCatalogWithItsState(String kind) throws Exception {
        try (TestCatalogs t = new TestCatalogs(kind);
                Catalog catalog = Catalog.open(dir, t.setting)) {
            long t0 = 1_000_000;
            ServerRoster a = ServerRoster.join(catalog, "db1:7400", "silo", "1.0", t0);
            ServerRoster b = ServerRoster.join(catalog, "db2:7400", "silo", "1.0", t0);
            catalog.tx(
                    c -> Sql.update(
                            c,
                            "INSERT INTO mover (id, name, library, media_types, host, state, volume, created_ms, seen_ms,"
                                    + " server) VALUES ('m1', 'disk-1', 'default', 'disk', 'h', 'idle', NULL, 0, 0, 'db2:7400')"));

            Map<String, Object> seenByA = a.status(t0 + BEAT);
            assertThat(seenByA).containsOnlyKeys("db1:7400", "db2:7400");
            assertThat(field(seenByA, "db1:7400", "state")).isEqualTo("up");
            assertThat(field(seenByA, "db1:7400", "self")).isEqualTo(true);
            assertThat(field(seenByA, "db2:7400", "self")).isNull();
            assertThat(field(seenByA, "db2:7400", "movers")).isEqualTo("disk-1");

            a.beat(t0 + 4 * BEAT); // b says nothing more: killed
            Map<String, Object> later = a.status(t0 + 4 * BEAT);
            assertThat(field(later, "db1:7400", "state")).isEqualTo("up");
            assertThat(field(later, "db2:7400", "state")).isEqualTo("silent");

            b = ServerRoster.join(catalog, "db2:7400", "silo", "1.1", t0 + 5 * BEAT); // restarted
            assertThat(field(a.status(t0 + 5 * BEAT), "db2:7400", "state")).isEqualTo("up");
            assertThat(field(a.status(t0 + 5 * BEAT), "db2:7400", "version")).isEqualTo("1.1");

            b.close();
            assertThat(field(a.status(t0 + 5 * BEAT), "db2:7400", "state")).isEqualTo("stopped");
            assertThat(a.members(t0 + 5 * BEAT)).hasSize(2);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object field(Map<String, Object> status, String server, String key) {
        return ((Map<String, Object>) status.get(server)).get(key);
    }
}
