package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.silo.server.control.ConsoleWorld.bytes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.control.web.HeadlessChromium;
import org.silo.wire.op.CoreOps;

/**
 * Every page of the console of a real server, with real data ({@link ConsoleWorld}: a tree put with two
 * copies, a queued job, an image with a lease), in headless Chromium. The cells are compared with what
 * the archive itself says, so a page that reads a key the server does not send fails here. A screenshot
 * of each page goes to target/console-screenshots/ for a person to look at.
 */
@Timeout(900)
class ConsoleRealDataBrowserTest {
    static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static ConsoleWorld world;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = HeadlessChromium.startOrSkip();
        world = new ConsoleWorld(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    private static WebDriverWait waiting() {
        WebDriverWait w = new WebDriverWait(
                chromium.driver, Duration.ofSeconds(90)); // a ceiling: Chromium on a busy machine is slow
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the live pages redraw their tables
        return w;
    }

    private static void open(String path) {
        chromium.driver.get(world.url(path));
    }

    /** The text of what the selector finds, found again if the page redrew it meanwhile. */
    private static String text(String css) {
        return waiting().until(d -> d.findElement(By.cssSelector(css)).getText());
    }

    private static Object js(String script) {
        return chromium.driver.executeScript(script);
    }

    @Test
    void volumesShowTheArchivesNumbers() throws Exception {
        List<VolumeInfo> volumes = world.client
                .call(VolumeClerkOps.LIST_VOLS, new ListVols(null, null, null))
                .volumes();
        assertThat(volumes).extracting(VolumeInfo::label).contains("DEF001", "DEF002", "VAULT01");
        open("/volumes");
        waiting()
                .until(d -> d.findElements(By.cssSelector("#volumes tbody tr[data-label]"))
                                .size()
                        == volumes.size());
        for (VolumeInfo v : volumes) {
            String row = "tr[data-label=" + v.label() + "] ";
            assertThat(text(row + "td.capacity")).as(v.label()).isEqualTo(bytes(v.capacity()));
            assertThat(text(row + "td.used")).as(v.label()).isEqualTo(bytes(v.capacity() - v.remaining()));
            assertThat(text(row + "td.files")).as(v.label()).isEqualTo(String.valueOf(v.files()));
            assertThat(text(row + "td.mounts")).as(v.label()).isEqualTo(String.valueOf(v.mounts()));
            assertThat(text(row + "td.errors"))
                    .as(v.label())
                    .isEqualTo(String.valueOf(v.readErrors() + v.writeErrors()));
        }
        // the put wrote every file to both default volumes: the numbers above are not zeros that match by chance
        for (String label : List.of("DEF001", "DEF002")) {
            VolumeInfo v = volumes.stream()
                    .filter(x -> x.label().equals(label))
                    .findFirst()
                    .orElseThrow();
            assertThat(v.files()).as(label).isEqualTo(ConsoleWorld.FILES.size());
            assertThat(v.capacity() - v.remaining()).as(label).isPositive();
        }
        assertThat(js("const i = document.getElementById('filter');"
                        + "const g = document.createElement('canvas').getContext('2d'); g.font = getComputedStyle(i).font;"
                        + "return g.measureText(i.placeholder).width <= i.clientWidth;"))
                .as("the filter's placeholder fits")
                .isEqualTo(true);
        chromium.screenshot(SHOTS, "volumes");
    }

    @Test
    void filesAreBrowsedIntoDirectoriesAndShowTheirChecksums() throws Exception {
        open("/files");
        waiting()
                .until(d ->
                        !d.findElements(By.cssSelector("tr[data-path='/exp']")).isEmpty());
        assertThat(text("tr[data-path='/exp'] td.kind")).isEqualTo("directory");
        assertThat(text("tr[data-path='/exp'] td.size"))
                .as("a directory has no size")
                .isEmpty();
        chromium.driver.findElement(By.cssSelector("tr[data-path='/exp'] a")).click();
        waiting()
                .until(d -> !d.findElements(By.cssSelector("tr[data-path='/exp/run1']"))
                        .isEmpty());
        assertThat(chromium.driver.getCurrentUrl()).endsWith("#%2Fexp");
        assertThat(chromium.driver.findElement(By.id("details")).isDisplayed())
                .as("a directory is entered, not described")
                .isFalse();
        assertThat(text("tr[data-path='/exp/run1'] td.kind")).isEqualTo("directory");

        NsEntry a = world.client.call(FileClerkOps.STAT, "/exp/a.dat");
        assertThat(a.adler32()).isNotBlank();
        assertThat(text("tr[data-path='/exp/a.dat'] td.kind")).isEqualTo("file");
        assertThat(text("tr[data-path='/exp/a.dat'] td.checksum")).isEqualTo(a.adler32());
        assertThat(text("tr[data-path='/exp/a.dat'] td.size")).isEqualTo(bytes(a.size()));
        assertThat(text("tr[data-path='/exp/a.dat'] td.volume")).isEqualTo(a.volume());
        assertThat(text("tr[data-path='/exp/a.dat'] td.bfid")).isEqualTo(a.bfid());

        chromium.driver
                .findElement(By.cssSelector("tr[data-path='/exp/run1'] a"))
                .click();
        waiting()
                .until(d -> d.findElements(By.cssSelector("#files tbody tr[data-path]"))
                                .size()
                        == 2);
        NsEntry c = world.client.call(FileClerkOps.STAT, "/exp/run1/c.dat");
        chromium.driver
                .findElement(By.cssSelector("tr[data-path='/exp/run1/c.dat'] a"))
                .click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("details")));
        assertThat(text("#details dd[data-key=adler32]")).isEqualTo(c.adler32());
        assertThat(text("#details dd[data-key=state]")).isEqualTo("active");
        chromium.screenshot(SHOTS, "files");
    }

    @Test
    void theOverviewDrawsTheHourBeforeItOpened() throws Exception {
        // a burst of requests between two of the server's samples, with no page open
        JsonNode before = Awaitility.await()
                .atMost(Duration.ofMinutes(2))
                .until(this::history, h -> h.get("samples").size() >= 1);
        long sampled = last(before).get("requests").asLong();
        for (int i = 0; i < 500; i++) {
            world.client.call(CoreOps.PING, new byte[0]);
        }
        JsonNode after = Awaitility.await()
                .atMost(Duration.ofMinutes(2))
                .until(this::history, h -> last(h).get("requests").asLong() >= sampled + 500);
        long firstTime = after.at("/samples/0/time").asLong();
        long lastTime = last(after).get("time").asLong();

        open("/");
        waiting().until(d -> d.findElement(By.id("live")).getText().equals("live"));
        assertThat(((Number) js("return overview.samples[0].t;")).longValue())
                .as("the server's history is on the chart")
                .isEqualTo(firstTime);
        assertThat(js("return overview.rates('requests').some((p) => p.t <= " + lastTime + " && p.v > 0);"))
                .as("the burst before the page opened is drawn")
                .isEqualTo(true);
        for (String chart : List.of("chart-requests", "chart-bytes")) {
            String ticks = waiting().until(d -> d.findElement(By.id(chart)).getAttribute("data-ticks"));
            assertThat(List.of(ticks.split("\\|")))
                    .as(chart + " axis labels")
                    .hasSize(5)
                    .doesNotHaveDuplicates();
        }
        assertThat(text("#sum-volumes")).isEqualTo("3");
        assertThat(text("#server-line"))
                .as("what the server sends in STATUS")
                .contains("version " + org.silo.server.Version.VERSION + " · catalog schema "
                        + org.silo.archive.catalog.Schema.VERSION + " · updated ");
        String self = "#servers tr[data-server='" + world.server.rosterAddress() + "']";
        assertThat(text(self + " td:nth-child(3)"))
                .as("this server, from the catalog's roster")
                .isEqualTo("up");
        assertThat(text(self + " td:nth-child(1)")).endsWith("(this one)");
        waiting() // its in-process movers, once each has asked for work since the server joined the roster
                .until(d -> d.findElement(By.cssSelector(self + " td:nth-child(7)"))
                        .getText()
                        .matches(".*mover.*"));
        assertThat(text("#sum-files"))
                .as("files and their extra copies apart")
                .isEqualTo(ConsoleWorld.FILES.size() + " + " + ConsoleWorld.FILES.size() + " copies");
        chromium.screenshot(SHOTS, "overview");
    }

    private JsonNode history() throws Exception {
        return JSON.readTree(world.get("/api/throughput"));
    }

    private static JsonNode last(JsonNode history) {
        JsonNode s = history.get("samples");
        return s.get(s.size() - 1);
    }

    @Test
    void moversQueueAndEmptyMountsReadWell() throws Exception {
        open("/movers");
        String job = "tr[data-job='" + world.verifyJob + "']";
        waiting().until(d -> !d.findElements(By.cssSelector(job)).isEmpty());
        assertThat(text(job)).contains("verify", "queued", "vol:VAULT01", "no mover of library vault");
        assertThat(text("tr[data-mover=mover1]")).contains("idle");
        assertThat(text("tr[data-mover=mover2]")).contains("idle");
        assertThat(text("#mounts tbody tr.none")).isEqualTo("none");
        // the rename form stands clear of the movers table, and the next heading of the empty mounts table
        Map<?, ?> gaps = (Map<?, ?>)
                js(
                        "const b = (s) => document.querySelector(s).getBoundingClientRect();"
                                + "return {form: b('#rename-form').top - b('#movers').bottom, queue: b('#priority-form').top - b('#mounts').bottom};");
        assertThat(((Number) gaps.get("form")).doubleValue())
                .as("space above the rename form")
                .isGreaterThanOrEqualTo(8);
        assertThat(((Number) gaps.get("queue")).doubleValue())
                .as("space under the mounts table")
                .isGreaterThanOrEqualTo(16);
        chromium.screenshot(SHOTS, "movers");
    }

    @Test
    void imagesAndLeases() throws Exception {
        open("/images");
        assertThat(text("tr[data-name=retro]")).contains("64.0 MiB", "read-write");
        chromium.screenshot(SHOTS, "images");
        open("/leases");
        assertThat(text("tr[data-holder=reader-9]")).contains("device:retro", "read");
        chromium.screenshot(SHOTS, "leases");
    }

    /** Every table the pages draw, with real data, has rows or a "none" line: none ends at its header. */
    @Test
    void noTableEndsAtItsHeader() throws Exception {
        for (String page : List.of("/volumes", "/files", "/images", "/movers", "/leases")) {
            open(page);
            waiting()
                    .until(d -> d.findElements(By.cssSelector("table")).stream()
                            .allMatch(t ->
                                    !t.findElements(By.cssSelector("tbody tr")).isEmpty()));
            List<WebElement> tables = chromium.driver.findElements(By.cssSelector("table"));
            assertThat(tables).as(page).isNotEmpty();
        }
    }
}
