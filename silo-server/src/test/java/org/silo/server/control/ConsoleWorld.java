package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.awaitility.Awaitility;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.VerifyVolume;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.files.FilesOps;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.block.DiskOps;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * A whole server with something in it for the console's tests: a tree of files put with two copies each
 * (DEF001 and DEF002), a third volume in a library without movers and a verify of it that stays queued,
 * a block image with a read lease on it. Temp data directory, every port ephemeral.
 */
public final class ConsoleWorld implements AutoCloseable {
    /** The tree put, archive path to size. */
    public static final List<String> FILES = List.of("/exp/a.dat", "/exp/run1/b.dat", "/exp/run1/c.dat");

    private static final int[] SIZES = {100_000, 300_000, 5_000};

    public final SiloServer server;
    public final SiloClient client;
    public final long verifyJob;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

    public ConsoleWorld(Path dir) throws Exception {
        server = SiloServer.start(TestSilo.config(dir.resolve("data")));
        client = SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
        client.call(
                VolumeClerkOps.ADDVOL,
                new AddVol("VAULT01", "vault", "disk", "1G", "dir:" + dir.resolve("vault"), null, null));
        client.call(FileClerkOps.MKDIR, new Mkdir("/exp/run1", true, "test"));
        Path local = Files.createDirectories(dir.resolve("local"));
        Random random = new Random(15);
        List<Path> sources = new java.util.ArrayList<>();
        for (int i = 0; i < FILES.size(); i++) {
            byte[] bytes = new byte[SIZES[i]];
            random.nextBytes(bytes);
            sources.add(Files.write(local.resolve("f" + i), bytes));
        }
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withWait(Duration.ofMinutes(10))
                        .withCopies(2))) {
            for (TransferClient.Result r : t.put(sources, FILES)) {
                assertThat(r.error()).as(r.dest()).isNull();
            }
        }
        // the copies are made by movers after the put: wait for the queue to empty (a ceiling, not a pace)
        Awaitility.await()
                .atMost(Duration.ofMinutes(5))
                .until(() -> client.call(LibraryOps.JOB_LS, new ListJobs(false, 100))
                        .jobs()
                        .isEmpty());
        // no mover serves library vault: this job waits in the queue for as long as the test looks
        verifyJob = client.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume("VAULT01", 0))
                .id();
        client.call(DiskOps.CREATE, new DiskOps.Create("retro", 64L << 20, false));
        client.call(
                FilesOps.LEASE,
                new FilesOps.Lease(FilesOps.Name.device("retro"), FilesOps.LEASE_READ, 600, "reader-9"));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.consolePort() + path;
    }

    /** A GET of the console's JSON API, the body as text. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** A byte count as the console's pages print it ({@code silo.bytes} in console.js). */
    public static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return (i == 0
                        ? String.format(Locale.ROOT, "%.0f", v)
                        : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v))
                + " " + units[i];
    }

    @Override
    public void close() {
        http.close();
        client.close();
        server.close();
    }
}
