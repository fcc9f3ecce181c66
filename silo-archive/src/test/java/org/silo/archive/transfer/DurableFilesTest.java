package org.silo.archive.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A get's batch made durable: by file system past {@link DurableFiles#SYNCFS_FROM} files, else per file. */
class DurableFilesTest {
    @TempDir
    Path dir;

    private List<Path> write(Path in, int n) throws IOException {
        Files.createDirectories(in);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = in.resolve(".f" + i + ".silo-part");
            Files.write(f, ("file " + i).getBytes());
            files.add(f);
        }
        return files;
    }

    @Test
    void aLargeBatchOverSeveralDirectoriesIsSyncedWithoutError() throws IOException {
        List<Path> files = new ArrayList<>(write(dir.resolve("a"), DurableFiles.SYNCFS_FROM));
        files.addAll(write(dir.resolve("b"), 10));

        assertThat(DurableFiles.sync(files)).hasSize(files.size()).containsOnlyNulls();
        assertThat(Files.readString(files.get(3))).isEqualTo("file 3");
    }

    @Test
    void aSmallBatchIsSyncedFileByFile() throws IOException {
        List<Path> files = write(dir, DurableFiles.SYNCFS_FROM - 1);

        assertThat(DurableFiles.sync(files)).hasSize(files.size()).containsOnlyNulls();
    }

    @Test
    void whenTheFileSystemCannotBeSyncedEachFileIsAndTheOneThatFailsIsNamed() throws IOException {
        List<Path> files = write(dir.resolve("a"), DurableFiles.SYNCFS_FROM);
        Path gone = dir.resolve("gone").resolve(".x.silo-part"); // its directory is not there: no sync -f for it
        files.add(7, gone);

        List<String> errors = DurableFiles.sync(files);

        assertThat(errors).hasSize(files.size());
        assertThat(errors.get(7)).startsWith("cannot write " + gone);
        errors.remove(7);
        assertThat(errors).containsOnlyNulls();
    }
}
