package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.silo.server.control.ConsoleWorld.bytes;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.silo.control.web.HeadlessChromium;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.block.BlockService;
import org.silo.server.block.DiskOps;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * Snapshots on the console's images page and in /metrics, from a real server: an image written over NBD
 * by qemu-io and snapshotted twice through disk_snapshot (full, then incremental), and a snapshot of an
 * image removed since. The cells are compared with what disk_snapshots says.
 */
@Timeout(600)
class ConsoleSnapshotsBrowserTest {
    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    @TempDir
    static Path dir;

    private static SiloServer server;
    private static SiloClient client;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(onPath("qemu-io"), "qemu-io is not installed (apt-get install qemu-utils); skipping");
        chromium = HeadlessChromium.startOrSkip();
        server = SiloServer.start(TestSilo.config(dir.resolve("data")));
        client = SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
        client.call(DiskOps.CREATE, new DiskOps.Create("img", 4L << 20, false));
        write("write -P 0x5a 0 1M");
        client.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot("img", null, false));
        write("write -P 0xa5 2M 64k");
        client.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot("img", null, false));
        client.call(DiskOps.CREATE, new DiskOps.Create("old", 1L << 20, false));
        client.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot("old", null, false));
        client.call(DiskOps.REMOVE, new DiskOps.Name("old"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    /** One qemu-io command on image img over the server's NBD port (loopback writes out of the box). */
    private static void write(String command) throws Exception {
        String uri =
                "nbd://127.0.0.1:" + server.service("block", BlockService.class).nbdPort() + "/img";
        Process p = new ProcessBuilder(new ArrayList<>(List.of("qemu-io", "-f", "raw", "-c", command, uri)))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("qemu-io finished").isTrue();
        assertThat(p.exitValue()).as("qemu-io %s:\n%s", command, out).isZero();
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static String text(String css) {
        return new WebDriverWait(
                        chromium.driver, Duration.ofSeconds(90)) // a ceiling: Chromium on a busy machine is slow
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class) // the page redraws every 5 s
                .until(d -> d.findElement(By.cssSelector(css)).getText());
    }

    @Test
    void theImagesPageListsEachImagesSnapshotsAndThoseOfRemovedImages() throws Exception {
        List<DiskOps.Snapshot> taken =
                client.call(DiskOps.SNAPSHOTS, new DiskOps.Name("img")).snapshots();
        assertThat(taken).extracting(DiskOps.Snapshot::number).containsExactly(1L, 2L);
        chromium.driver.get("http://127.0.0.1:" + server.consolePort() + "/images");
        for (DiskOps.Snapshot s : taken) {
            String row = "tr[data-snapshot='img@" + s.number() + "'] ";
            assertThat(text(row + "td.ref")).isEqualTo("img@" + s.number());
            assertThat(text(row + "td.taken")).isEqualTo(UTC.format(Instant.ofEpochMilli(s.takenMs())));
            assertThat(text(row + "td.stored")).isEqualTo(bytes(s.stored()));
            assertThat(text(row + "td.size")).isEqualTo(bytes(4L << 20));
            assertThat(text(row + "td.path")).isEqualTo(s.path()).isEqualTo("/snapshots/img/" + s.number());
        }
        assertThat(text("tr[data-snapshot='img@1'] td.parent")).isEqualTo("full");
        assertThat(text("tr[data-snapshot='img@2'] td.parent")).isEqualTo("img@1");
        // the full one holds the MiB written, the incremental one only the 64 KiB block written since
        assertThat(taken.get(0).stored()).isGreaterThan(1L << 20);
        assertThat(taken.get(1).stored()).isBetween(64L << 10, 1L << 20);
        assertThat(text("tr[data-name=img] td.snapshots"))
                .isEqualTo("2 (newest "
                        + UTC.format(Instant.ofEpochMilli(taken.get(1).takenMs())) + ")");
        assertThat(text("tr[data-snapshot='old@1'] td.ref")).isEqualTo("old@1 (image removed)");
        assertThat(chromium.driver.findElements(By.cssSelector("tr[data-name=old]")))
                .isEmpty();
        chromium.screenshot(ConsoleRealDataBrowserTest.SHOTS, "images-snapshots");
    }

    @Test
    void metricsCountTheSnapshotsAndTheirBytes() throws Exception {
        long stored = 0;
        for (String image : List.of("img")) {
            for (DiskOps.Snapshot s :
                    client.call(DiskOps.SNAPSHOTS, new DiskOps.Name(image)).snapshots()) {
                stored += s.stored();
            }
        }
        String metrics;
        try (HttpClient http = HttpClient.newHttpClient()) {
            metrics = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.consolePort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
        assertThat(value(metrics, "silo_block_snapshots")).isEqualTo(3.0);
        double bytes = value(metrics, "silo_block_snapshot_bytes");
        assertThat(bytes).as("img's two and old's one").isGreaterThan(stored);
        assertThat(value(metrics, "silo_block_snapshot_last_seconds"))
                .as("a duration, not NaN: this server took snapshots")
                .isNotNaN()
                .isGreaterThanOrEqualTo(0.0);
    }

    /** The value of an unlabelled sample in Prometheus text. */
    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("%s in /metrics:\n%s", name, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
