package org.silo.control.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.LibraryMessages.MountRequest;
import org.silo.control.fixture.FixtureControlData;
import org.silo.server.block.DiskOps;
import org.silo.server.control.ConsoleWorld;

/**
 * The control front ends' in-memory fixture (silo-control's tests) against a real server: every key a
 * fixture row has, the real server's JSON has too, and every number the overview picks out of the
 * fixture's STATUS, the real STATUS has too, so the fixture cannot drift from what the server
 * serialises (as it once did, with capacityBytes for capacity) and keep the fixture's tests green.
 */
@Timeout(600)
class ConsoleFixtureKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFixtureKeyIsOneTheServerSends(@TempDir Path dir) throws Exception {
        FixtureControlData fixture = new FixtureControlData();
        try (ConsoleWorld world = new ConsoleWorld(dir)) {
            check("volumes", fixture.volumes(), real(world, "/api/volumes", "volumes"));
            List<Map<String, Object>> data = fixture.directory("/data");
            check("a file", data.subList(0, 1), real(world, "/api/files?path=/exp/run1", "entries"));
            check("a directory", fixture.directory("/"), real(world, "/api/files?path=/", "entries"));
            check("images", fixture.images(), real(world, "/api/images", "images"));
            // a snapshot of the world's (empty) image, taken here: the world's volume counts stay as its tests expect
            world.client.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot("retro", null, false));
            check("snapshots", fixture.snapshots(), real(world, "/api/images", "snapshots"));
            check("jobs", fixture.jobs(), real(world, "/api/jobs", "jobs"));
            check("movers", fixture.movers(), real(world, "/api/movers", "movers"));
            check("leases", fixture.leases(), real(world, "/api/leases", "leases"));
            // no mount waits on this server (no manual changer): the record the server serialises instead
            fixture.mountWaiting("TAPE02", "mover1");
            Set<String> mount = new LinkedHashSet<>();
            Arrays.stream(MountRequest.class.getRecordComponents()).forEach(c -> mount.add(c.getName()));
            assertThat(mount).as("mounts").containsAll(fixture.mounts().get(0).keySet());

            Map<String, Object> fake = fixture.status();
            @SuppressWarnings("unchecked")
            Map<String, Object> real =
                    JSON.convertValue(JSON.readTree(world.get("/api/status")).get("server"), Map.class);
            assertThat(real.keySet()).as("STATUS").containsAll(fake.keySet());
            StatusSummary.PATHS.forEach((name, path) -> {
                assertThat(StatusSummary.number(fake, path))
                        .as("the fixture's " + path)
                        .isNotNull();
                assertThat(StatusSummary.number(real, path))
                        .as("the server's " + path)
                        .isNotNull();
            });
        }
    }

    /** The keys of the first row of a route's list, which must not be empty. */
    private static Set<String> real(ConsoleWorld world, String route, String list) throws Exception {
        JsonNode rows = JSON.readTree(world.get(route)).get(list);
        assertThat(rows).as(route).isNotEmpty();
        Set<String> keys = new LinkedHashSet<>();
        rows.get(0).fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static void check(String what, List<Map<String, Object>> fixtureRows, Set<String> realKeys) {
        assertThat(fixtureRows).as(what).isNotEmpty();
        for (Map<String, Object> row : fixtureRows) {
            assertThat(realKeys).as(what + ": keys of the fixture's row " + row).containsAll(row.keySet());
        }
    }
}
