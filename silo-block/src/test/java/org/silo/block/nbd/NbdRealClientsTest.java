package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.Access;
import org.silo.block.image.ImageLease;
import org.silo.block.image.ImageStore;

/** The NBD server against qemu-img, qemu-io, nbdinfo, nbdcopy and nbdsh, run as processes. */
class NbdRealClientsTest {
    private static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    ImageStore store;
    NbdServer server;

    @BeforeEach
    void start() throws Exception {
        store = new ImageStore(dir.resolve("images"));
        store.create("disk", SIZE, false);
        store.create("rom", SIZE, true);
        server = NbdServer.builder(store).port(0).defaultExport("disk").build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String uri(String export) {
        return "nbd://127.0.0.1:" + server.port() + "/" + export;
    }

    private Path randomFile(String name, int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void qemuImgInfoSeesTheSize() throws Exception {
        NbdTestTools.require("qemu-img");
        String out = NbdTestTools.run("qemu-img", "info", "--output=json", uri("disk"))
                .ok()
                .output();
        assertThat(out).contains("\"virtual-size\": " + SIZE);
    }

    @Test
    void qemuImgConvertRoundTripsBitForBit() throws Exception {
        NbdTestTools.require("qemu-img");
        Path src = randomFile("src.img", SIZE, 1);
        NbdTestTools.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", src.toString(), uri("disk"))
                .ok();
        Path back = dir.resolve("back.img");
        NbdTestTools.run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri("disk"), back.toString())
                .ok();
        assertThat(Files.mismatch(src, back)).isEqualTo(-1);
        assertThat(Files.mismatch(src, store.directory().resolve("disk"))).isEqualTo(-1);
    }

    @Test
    void qemuIoPatternWriteReadFlush() throws Exception {
        NbdTestTools.require("qemu-io");
        String out = NbdTestTools.run(
                        "qemu-io",
                        "-f",
                        "raw",
                        "-c",
                        "write -P 0x55 0 1M",
                        "-c",
                        "write -P 0xaa 3M 512",
                        "-c",
                        "read -P 0x55 0 1M",
                        "-c",
                        "read -P 0xaa 3M 512",
                        "-c",
                        "flush",
                        uri("disk"))
                .ok()
                .output();
        assertThat(out).doesNotContain("Pattern verification failed").doesNotContain("error");
    }

    @Test
    void nbdinfoListsExportsAndMapsHoles() throws Exception {
        NbdTestTools.require("nbdinfo");
        assertThat(NbdTestTools.run("nbdinfo", "--list", "nbd://127.0.0.1:" + server.port())
                        .ok()
                        .output())
                .contains("disk")
                .contains("rom");
        try (ImageLease lease = store.open("disk", Access.WRITE, "test")) {
            lease.write(ByteBuffer.wrap(new byte[65536]).put(0, (byte) 1), 1 << 20);
        }
        String map = NbdTestTools.run("nbdinfo", "--map", uri("disk")).ok().output();
        // 0..1M hole, 1M..1M+64K data, the rest hole.
        assertThat(map)
                .containsPattern("\\s+0\\s+1048576\\s+3\\s+hole,zero")
                .containsPattern("1048576\\s+65536\\s+0\\s+data")
                .containsPattern("1114112\\s+3080192\\s+3\\s+hole,zero");
    }

    @Test
    void nbdcopyBothWays() throws Exception {
        NbdTestTools.require("nbdcopy");
        Path src = randomFile("src.img", SIZE, 2);
        NbdTestTools.run("nbdcopy", src.toString(), uri("disk")).ok();
        Path back = dir.resolve("back.img");
        NbdTestTools.run("nbdcopy", uri("disk"), back.toString()).ok();
        assertThat(Files.mismatch(src, back)).isEqualTo(-1);
    }

    @Test
    void nbdshChecksCommandsAndErrors() throws Exception {
        String script = String.join(
                "\n",
                "import errno",
                "assert h.get_size() == " + SIZE,
                "assert not h.is_read_only() and not h.can_multi_conn()",
                "assert h.can_flush() and h.can_fua() and h.can_trim() and h.can_zero() and h.can_cache()",
                "h.pwrite(b'\\xab' * 4096, 0)",
                "assert h.pread(4096, 0) == b'\\xab' * 4096",
                "h.pwrite(b'\\xcd' * 512, 8192, nbd.CMD_FLAG_FUA)",
                "h.flush()",
                "h.cache(4096, 0)",
                "h.zero(4096, 0)",
                "assert h.pread(4096, 0) == bytes(4096)",
                "h.pwrite(b'\\x11' * 65536, 65536)",
                "h.trim(65536, 65536)",
                "assert h.pread(65536, 65536) == bytes(65536)",
                "def expect(err, f):",
                "    try:",
                "        f()",
                "    except nbd.Error as e:",
                "        assert e.errnum == err, (e.errnum, e.string)",
                "    else:",
                "        raise AssertionError('no error')",
                "expect(errno.ENOSPC, lambda: h.pwrite(b'x' * 512, " + SIZE + "))",
                "expect(errno.EINVAL, lambda: h.pread(512, " + (SIZE - 256) + "))",
                "print('nbdsh-ok')");
        Path file = Files.writeString(dir.resolve("check.py"), script);
        String out = NbdTestTools.nbdsh("-u", uri("disk"), "-c", "exec(open('" + file + "').read())")
                .ok()
                .output();
        assertThat(out).contains("nbdsh-ok");
    }

    /**
     * Issue 12: a READ over the 32 MiB maximum is answered EINVAL by the server (strict mode off, so
     * libnbd sends it rather than refusing it itself) and the connection goes on.
     */
    @Test
    void nbdshReadOverTheMaximumGetsEinvalFromTheServer() throws Exception {
        store.create("big", 64L << 20, false);
        String script = String.join(
                "\n",
                "import errno",
                "h.set_strict_mode(0)",
                "assert h.get_block_size(nbd.SIZE_MAXIMUM) == 32 << 20",
                "try:",
                "    h.pread((32 << 20) + 1, 0)",
                "except nbd.Error as e:",
                "    assert e.errnum == errno.EINVAL and 'command failed' in e.string, (e.errnum, e.string)",
                "else:",
                "    raise AssertionError('no error')",
                "assert h.pread(512, 0) == bytes(512)",
                "print('overlong-ok')");
        Path file = Files.writeString(dir.resolve("overlong.py"), script);
        assertThat(NbdTestTools.nbdsh("-u", uri("big"), "-c", "exec(open('" + file + "').read())")
                        .ok()
                        .output())
                .contains("overlong-ok");
    }

    @Test
    void readOnlyExportRefusesWritesWithEperm() throws Exception {
        String script = String.join(
                "\n",
                "import errno",
                "assert h.is_read_only() and h.can_multi_conn()",
                "assert h.pread(512, 0) == bytes(512)",
                "try:",
                "    h.pwrite(b'x' * 512, 0)",
                "except nbd.Error as e:",
                "    assert e.errnum == errno.EPERM, e.errnum",
                "else:",
                "    raise AssertionError('write succeeded')",
                "print('ro-ok')");
        Path file = Files.writeString(dir.resolve("ro.py"), script);
        assertThat(NbdTestTools.nbdsh("-u", uri("rom"), "-c", "exec(open('" + file + "').read())")
                        .ok()
                        .output())
                .contains("ro-ok");
    }

    @Test
    void emptyExportNameServesTheDefaultImage() throws Exception {
        NbdTestTools.require("nbdinfo");
        String out = NbdTestTools.run("nbdinfo", "--json", "nbd://127.0.0.1:" + server.port())
                .ok()
                .output();
        assertThat(out).contains("\"export-size\": " + SIZE);
    }
}
