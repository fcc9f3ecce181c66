package org.silo.files.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ArchiveService;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** The lookup cache: what it remembers, for how long, and what it never remembers. */
class LocationsTest {
    @TempDir
    Path dir;

    ArchiveService archive;
    ArchiveGateway gateway;

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(Files.createDirectories(dir.resolve("data")), null);
        gateway = new ArchiveGateway(archive, null);
        archive.files().write(new WriteFile(null, "/a", "bytes of a".getBytes(), null, null, null, "root"), "test");
    }

    @AfterEach
    void stop() {
        archive.close();
    }

    @Test
    void aFoundFileIsRememberedForItsTimeAndAMissingOneNever() throws Exception {
        Locations remember = new Locations(60_000);
        Locations not = new Locations(0);
        ArchivePaths.Located a = remember.locate(gateway, "/a");
        assertThat(a.size()).isEqualTo(10);
        assertThat(Files.readString(a.localFile()))
                .as("in place on its dir volume")
                .isEqualTo("bytes of a");
        assertThatThrownBy(() -> remember.locate(gateway, "/b"))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        archive.files().write(new WriteFile(null, "/b", "b".getBytes(), null, null, null, "root"), "test");
        assertThat(remember.locate(gateway, "/b").size())
                .as("a miss is not remembered: a new file is seen at once")
                .isEqualTo(1);

        archive.namespace().rm("/a");
        assertThat(remember.locate(gateway, "/a").bfid())
                .as("remembered for up to the TTL")
                .isEqualTo(a.bfid());
        assertThatThrownBy(() -> not.locate(gateway, "/a"))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        remember.forget("/a");
        assertThatThrownBy(() -> remember.locate(gateway, "/a"))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}
