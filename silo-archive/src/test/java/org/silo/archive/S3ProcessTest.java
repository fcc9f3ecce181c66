package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.S3Backend;

/**
 * The S3 server of the process tests: a volume's files written through Silo's S3 backend are still
 * there, byte for byte, after the store's process is killed (SIGKILL) and started again on the same
 * directory and port, and the next file number continues after them.
 */
@Timeout(300) // a ceiling for a hang only: two JVM starts on a busy machine
class S3ProcessTest {
    @TempDir
    Path dir;

    @Test
    void filesOnAnS3VolumeOutliveAKillOfTheStore() throws Exception {
        byte[] one = new byte[200_000];
        byte[] two = new byte[3];
        new Random(1).nextBytes(one);
        new Random(2).nextBytes(two);
        S3Process s3 = S3Process.start(dir.resolve("s3"));
        try {
            String uri = s3.uri("vol1");
            String first;
            String second;
            try (Backend b = S3Backend.connect(uri)) {
                first = b.append(one);
                second = b.append(two);
            }
            s3 = s3.restart();
            assertThat(s3.uri("vol1")).as("the same endpoint").isEqualTo(uri);
            try (Backend b = S3Backend.connect(uri)) {
                try (InputStream in = b.open(first)) {
                    assertThat(in.readAllBytes()).isEqualTo(one);
                }
                try (InputStream in = b.open(second)) {
                    assertThat(in.readAllBytes()).isEqualTo(two);
                }
                assertThat(b.fileNumbers()).containsExactly(1L, 2L);
                assertThat(b.append(two)).as("numbering goes on").isEqualTo(Backend.cookie(3));
            }
        } finally {
            s3.close();
        }
    }
}
