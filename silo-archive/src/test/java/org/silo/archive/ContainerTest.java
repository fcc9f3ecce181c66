package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.silo.archive.aggregate.ContainerScan;
import org.silo.archive.aggregate.ContainerWriter;
import org.silo.archive.aggregate.ContainerWriter.Member;
import org.silo.archive.aggregate.Manifest;
import org.silo.archive.aggregate.Tar;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.Checksums;

/**
 * Containers: the tar layout round-trips through Silo's own scanner and through GNU tar (a person
 * reads them without Silo), a member's cookie reads only its range on both backends, and a container
 * cut short says where its last whole member ends.
 */
class ContainerTest {
    static S3Fixture s3;

    @TempDir
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** Names and sizes at the layout's edges: block boundaries, the 100-byte name, prefix splits, UTF-8. */
    static List<Object[]> members() {
        List<Object[]> m = new ArrayList<>();
        m.add(new Object[] {"exp/empty", 0});
        m.add(new Object[] {"exp/one", 1});
        m.add(new Object[] {"exp/511", 511});
        m.add(new Object[] {"exp/512", 512});
        m.add(new Object[] {"exp/513", 513});
        m.add(new Object[] {"exp/" + "n".repeat(96), 4096}); // exactly 100 bytes
        m.add(new Object[] {"exp/" + "d".repeat(60) + "/" + "n".repeat(99), 10}); // prefix + name
        m.add(new Object[] {"exp/" + "d".repeat(200) + "/" + "n".repeat(120), 700}); // pax path
        m.add(new Object[] {"exp/été/naïve-日本.dat", 1000}); // UTF-8: pax path
        m.add(new Object[] {"exp/tab\tand\nnewline", 3}); // control characters: pax, escaped in the manifest
        m.add(new Object[] {"exp/big", 300_000});
        return m;
    }

    private static byte[] content(String name, int size) {
        byte[] b = new byte[size];
        new Random(name.hashCode()).nextBytes(b);
        return b;
    }

    private static byte[] write(List<Member> out) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ContainerWriter w = new ContainerWriter(bytes, "vol0001", "0000_000000000_0000042", 1_700_000_000_000L);
        for (Object[] m : members()) {
            String name = (String) m[0];
            int size = (Integer) m[1];
            out.add(w.add(name, size, new ByteArrayInputStream(content(name, size)), "alice", "sha256"));
        }
        long length = w.finish();
        assertThat(length).isEqualTo(bytes.size()).isEqualTo(Tar.padded(length));
        return bytes.toByteArray();
    }

    @Test
    void everyMemberIsWhereTheWriterSaidWithItsChecksum() throws Exception {
        List<Member> written = new ArrayList<>();
        byte[] container = write(written);
        for (Member m : written) {
            byte[] expected = content(m.name(), (int) m.size());
            byte[] at = Arrays.copyOfRange(container, (int) m.dataOffset(), (int) (m.dataOffset() + m.size()));
            assertThat(at).as(m.name()).isEqualTo(expected);
            assertThat(m.adler32()).isEqualTo(Checksums.adler32(expected));
            assertThat(m.hash()).startsWith("sha256:").hasSize(7 + 64);
            assertThat(m.dataOffset() % Tar.BLOCK).isZero();
        }
        ContainerScan.Result scan = ContainerScan.scan(new ByteArrayInputStream(container));
        assertThat(scan.complete()).isTrue();
        assertThat(scan.problem()).isNull();
        assertThat(scan.members()).hasSize(written.size() + 1);
        for (int i = 0; i < written.size(); i++) {
            Member m = written.get(i);
            ContainerScan.Found f = scan.members().get(i);
            assertThat(f.name()).isEqualTo(m.name());
            assertThat(f.headerOffset()).isEqualTo(m.headerOffset());
            assertThat(f.dataOffset()).isEqualTo(m.dataOffset());
            assertThat(f.size()).isEqualTo(m.size());
            assertThat(f.adler32()).isEqualTo(m.adler32());
        }
        ContainerScan.Found manifest = scan.manifest();
        assertThat(manifest.name()).isEqualTo(".silo-manifest-0000042.tsv");
        List<Manifest.Entry> entries = Manifest.parse(Arrays.copyOfRange(
                container, (int) manifest.dataOffset(), (int) (manifest.dataOffset() + manifest.size())));
        assertThat(entries).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            Manifest.Entry e = entries.get(i);
            Member m = written.get(i);
            assertThat(e)
                    .isEqualTo(new Manifest.Entry(m.dataOffset(), m.size(), m.adler32(), m.hash(), "alice", m.name()));
        }
    }

    /** The point of tar: GNU tar lists and extracts every member, byte for byte, without Silo. */
    @Test
    void gnuTarExtractsEveryMember(@TempDir Path dir) throws Exception {
        List<Member> written = new ArrayList<>();
        Path container = dir.resolve("0000042");
        Files.write(container, write(written));
        Path out = Files.createDirectories(dir.resolve("out"));
        Process tar = new ProcessBuilder("tar", "-xf", container.toString(), "-C", out.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(tar.exitValue()).as(said).isZero();
        assertThat(said).isEmpty();
        for (Member m : written) {
            assertThat(Files.readAllBytes(out.resolve(m.name()))).as(m.name()).isEqualTo(content(m.name(), (int)
                    m.size()));
        }
        assertThat(Files.readString(out.resolve(".silo-manifest-0000042.tsv")))
                .startsWith("# silo container\t1\tvol0001\t");
    }

    @Test
    void aContainerCutShortSaysWhereItsLastWholeMemberEnds() throws Exception {
        List<Member> written = new ArrayList<>();
        byte[] container = write(written);
        Member big = written.get(written.size() - 1);
        long cut = big.dataOffset() + 1000; // in the middle of the last member
        ContainerScan.Result scan = ContainerScan.scan(new ByteArrayInputStream(Arrays.copyOf(container, (int) cut)));
        assertThat(scan.complete()).isFalse();
        assertThat(scan.problem()).contains("exp/big");
        assertThat(scan.members())
                .extracting(ContainerScan.Found::name)
                .containsExactlyElementsOf(written.subList(0, written.size() - 1).stream()
                        .map(Member::name)
                        .toList());
        assertThat(scan.wholeLength()).isEqualTo(big.headerOffset());
        // and one cut right after a whole member, before the end blocks
        ContainerScan.Result noEnd =
                ContainerScan.scan(new ByteArrayInputStream(Arrays.copyOf(container, (int) big.headerOffset())));
        assertThat(noEnd.complete()).isFalse();
        assertThat(noEnd.wholeLength()).isEqualTo(big.headerOffset());
    }

    @Test
    void aDamagedHeaderIsNotAMember() throws Exception {
        List<Member> written = new ArrayList<>();
        byte[] container = write(written);
        Member third = written.get(2);
        container[(int) third.headerOffset() + 10] ^= 0x55; // in the name: the checksum no longer holds
        ContainerScan.Result scan = ContainerScan.scan(new ByteArrayInputStream(container));
        assertThat(scan.complete()).isFalse();
        assertThat(scan.problem()).contains("bad header checksum at byte " + third.headerOffset());
        assertThat(scan.members()).hasSize(2);
    }

    static Stream<String> kinds() {
        return Stream.of("dir", "s3");
    }

    /** A member's cookie reads its range and nothing else, on both backends, from a new process. */
    @ParameterizedTest
    @MethodSource("kinds")
    void aMemberCookieReadsOnlyItsRange(String kind) throws Exception {
        List<Member> written = new ArrayList<>();
        byte[] bytes = write(written);
        String spec;
        String cookie;
        try (Backends bs = new Backends(data)) {
            spec = bs.canonical(kind.equals("dir") ? "dir:containers-" + kind : s3.uri("containers-" + kind));
            Backend b = bs.get(spec);
            b.append("a plain file first".getBytes());
            try (Backend.NewFile f = b.create()) {
                f.out().write(bytes);
                f.commit(() -> {});
                cookie = f.cookie();
            }
        }
        assertThat(cookie).isEqualTo("0000_000000000_0000002");
        try (Backends bs = new Backends(data)) {
            Backend b = bs.get(spec);
            for (Member m : written) {
                try (InputStream in = b.open(Backend.memberCookie(cookie, m.dataOffset(), m.size()))) {
                    assertThat(in.readAllBytes()).as(m.name()).isEqualTo(content(m.name(), (int) m.size()));
                }
            }
            try (InputStream in = b.open(cookie)) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
            assertThat(Backend.location(Backend.memberCookie(cookie, 1536, 4096)))
                    .isEqualTo(new Backend.Location(2, 1536, 4096));
            assertThat(Backend.memberCookie(cookie, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2))
                    .hasSizeLessThanOrEqualTo(64);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aNewFileNotCommittedLeavesNothing(String kind) throws Exception {
        try (Backends bs = new Backends(data)) {
            String spec = bs.canonical(kind.equals("dir") ? "dir:abandoned-" + kind : s3.uri("abandoned-" + kind));
            Backend b = bs.get(spec);
            try (Backend.NewFile f = b.create()) {
                f.out().write(new byte[10_000]);
            }
            try (Backend.NewFile f = b.create()) {
                f.out().write(new byte[10]);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.commit(() -> {
                            throw org.silo.wire.SiloException.invalid("refused before commit");
                        }))
                        .hasMessageContaining("refused before commit");
            }
            for (String c : List.of("0000_000000000_0000001", "0000_000000000_0000002")) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> b.open(c).close())
                        .hasMessageContaining("no file at cookie");
            }
            assertThat(b.append("next".getBytes())).isEqualTo("0000_000000000_0000003");
            if (kind.equals("dir")) {
                try (var files = Files.list(data.resolve("abandoned-dir"))) {
                    assertThat(files.map(p -> p.getFileName().toString())).containsExactly("0000003");
                }
            }
        }
    }
}
