package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.S3Process;
import org.silo.block.blockhead.RawBlockheadClient;
import org.silo.block.nbd.NbdTestTools;

/**
 * {@code silo disk snapshot | snapshots | restore | rm-snapshot} as a person runs them, against a server
 * process: after a kill -9 with the image open, the next snapshot is full and says why; on an S3 volume
 * the chain is staged into the file service's disk cache for an IMAGE@N export and a restore.
 */
@Timeout(600) // a ceiling for a hang only
class SnapshotIT {
    @TempDir
    Path dir;

    private SiloProcesses silo;
    private S3Process s3;

    @BeforeEach
    void processes() {
        NbdTestTools.require("qemu-img", "qemu-io", "nbdinfo");
        silo = new SiloProcesses(dir);
    }

    @AfterEach
    void stop() throws Exception {
        silo.close();
        if (s3 != null) {
            s3.close();
        }
    }

    private SiloProcesses.Done ok(String... args) throws Exception {
        SiloProcesses.Done d = silo.run(args);
        assertThat(d.exit())
                .as("silo %s: %s", String.join(" ", args), d.output())
                .isZero();
        return d;
    }

    private String uri(String export) {
        return "nbd://127.0.0.1:" + silo.nbdPort() + "/" + export;
    }

    private void assertSame(Path copy, String export) throws Exception {
        NbdTestTools.Run r =
                NbdTestTools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", copy.toString(), uri(export));
        assertThat(r.exit())
                .as("qemu-img compare %s %s: %s", copy.getFileName(), export, r.output())
                .isZero();
    }

    private Path copy(String export, String name) throws Exception {
        Path out = dir.resolve(name);
        NbdTestTools.run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri(export), out.toString())
                .ok();
        return out;
    }

    private List<Map<String, Object>> snapshots(String image) throws Exception {
        return SiloProcesses.JSON.readValue(
                ok("disk", "snapshots", image, "--json").output(), new TypeReference<>() {});
    }

    @Test
    void aServerKilledWithTheImageOpenMakesTheNextSnapshotFullAndSaysWhy() throws Exception {
        silo.startServer(0);
        ok("disk", "create", "vm", "--size", "8M");
        NbdTestTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 2M", uri("vm"))
                .ok();
        assertThat(ok("disk", "snapshot", "vm").output()).startsWith("vm@1: full, taken ");
        // a Blockhead client writes and stays connected: the image is open when the server dies
        RawBlockheadClient bh = new RawBlockheadClient(silo.blockheadPort());
        byte[] connected = bh.exchange(RawBlockheadClient.connect(1, 2, "vm"));
        assertThat(connected[2]).isZero();
        byte[] sector = new byte[512];
        java.util.Arrays.fill(sector, (byte) 0x5a);
        assertThat(bh.exchange(RawBlockheadClient.write(2, RawBlockheadClient.session(connected), 12_000, sector))[2])
                .isZero();
        bh.close();
        silo.killServer();

        silo.startServer(0);
        Path now = copy("vm", "now.raw");
        SiloProcesses.Done second = ok("disk", "snapshot", "vm");
        assertThat(second.output())
                .startsWith("vm@2: full, taken ")
                .contains("full because the server stopped without saving its change map (a crash?)");
        assertSame(now, "vm@2");
        assertThat(snapshots("vm")).extracting(m -> m.get("parent")).containsExactly(0, 0);

        // from here on incremental again, and a restart in between keeps it so
        NbdTestTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x22 4M 64k", uri("vm"))
                .ok();
        silo.stopServer();
        silo.startServer(0);
        SiloProcesses.Done third = ok("disk", "snapshot", "vm");
        assertThat(third.output()).startsWith("vm@3: incremental on @2").doesNotContain("full because");
        assertThat(snapshots("vm").get(2).get("dataBytes")).isEqualTo(65536);

        ok("disk", "restore", "vm@1", "old");
        Path first = copy("vm@1", "first.raw");
        assertSame(first, "old");
        assertThat(ok("disk", "rm-snapshot", "vm@2").output()).isEqualTo("removed vm@2\n");
        assertThat(snapshots("vm")).extracting(m -> m.get("number")).containsExactly(1, 3);
        assertSame(copy("vm", "last.raw"), "vm@3");

        // mistakes: a clear message, a failing exit status, and nothing changed
        SiloProcesses.Done bad = silo.run("disk", "restore", "vm", "x");
        assertThat(bad.exit()).isNotZero();
        SiloProcesses.Done missing = silo.run("disk", "restore", "vm@9", "x");
        assertThat(missing.exit()).isNotZero();
        assertThat(Files.readString(dir.resolve("commands.err")))
                .contains("'vm' is not IMAGE@N")
                .contains("no snapshot vm@9");
        assertThat(ok("disk", "ls").output()).doesNotContain("x ");
    }

    @Test
    void onAnS3VolumeTheChainIsStagedForAnExportAndARestore() throws Exception {
        s3 = S3Process.start(dir.resolve("s3"));
        silo.startServer(0);
        for (String label : List.of("DEF001", "DEF002")) {
            ok("vol", "rm", label);
        }
        ok("vol", "add", "S3V001", "--library", "default", "--capacity", "4G", "--backend", s3.uri("snaps"));
        ok("disk", "create", "vm", "--size", "8M");
        NbdTestTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 3M", uri("vm"))
                .ok();
        Path at1 = copy("vm", "at1.raw");
        ok("disk", "snapshot", "vm");
        NbdTestTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x22 1M 1M", uri("vm"))
                .ok();
        Path at2 = copy("vm", "at2.raw");
        assertThat(ok("disk", "snapshot", "vm").output()).startsWith("vm@2: incremental on @1");
        List<Map<String, Object>> vols =
                SiloProcesses.JSON.readValue(ok("vol", "ls", "--json").output(), new TypeReference<>() {});
        assertThat(vols)
                .singleElement()
                .satisfies(v -> assertThat(v.get("label")).isEqualTo("S3V001"));

        // the export's first read stages the chain into the disk cache, then reads it
        assertSame(at2, "vm@2");
        ok("disk", "restore", "vm@1", "back"); // a restore waits for its staging
        assertSame(at1, "back");
        assertSame(at1, "vm@1");
        try (var staged = Files.list(dir.resolve("silo-data").resolve("files-cache"))) {
            assertThat(staged.filter(Files::isRegularFile).count())
                    .as("snapshot files staged")
                    .isEqualTo(2);
        }
    }
}
