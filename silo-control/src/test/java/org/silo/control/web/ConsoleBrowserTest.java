package org.silo.control.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.silo.control.fixture.FixtureControlData;

/** Every page in a real headless Chromium against the fixture; screenshots go to target/screenshots/. */
@Timeout(600)
class ConsoleBrowserTest {
    private static FixtureControlData data;
    private static ConsoleServer console;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = HeadlessChromium.startOrSkip();
        data = new FixtureControlData();
        console = ConsoleServer.builder(data)
                .port(0)
                .eventPeriod(Duration.ofMillis(500))
                .build()
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (console != null) {
            console.close();
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    /** Each test starts logged out, whatever the one before it left behind. */
    @AfterEach
    void forgetTheLogin() {
        if (chromium != null) {
            chromium.driver.manage().deleteAllCookies();
        }
    }

    /**
     * Clicks what the selector finds, finding it again if the page replaced it meanwhile (the movers page
     * redraws its tables every second).
     */
    private static void click(String css) {
        waiting().until(d -> {
            try {
                d.findElement(By.cssSelector(css)).click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException
                    | org.openqa.selenium.NoSuchElementException e) {
                return false;
            }
        });
    }

    /** What {@code read} gets from the element the selector finds, read again if the page redrew it meanwhile. */
    private static String read(String css, java.util.function.Function<WebElement, String> read) {
        return waiting().until(d -> read.apply(d.findElement(By.cssSelector(css))));
    }

    /** The same for every element the selector finds. */
    private static List<String> readAll(String css, java.util.function.Function<WebElement, String> read) {
        return waiting()
                .until(d ->
                        d.findElements(By.cssSelector(css)).stream().map(read).toList());
    }

    private static void open(String path) {
        chromium.driver.get("http://127.0.0.1:" + console.port() + path);
    }

    private static WebDriverWait waiting() {
        WebDriverWait w = new WebDriverWait(
                chromium.driver, Duration.ofSeconds(60)); // a ceiling: Chromium on a busy machine is slow
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the live pages redraw their tables
        return w;
    }

    private static List<WebElement> rows(String table) {
        return chromium.driver.findElements(By.cssSelector("#" + table + " tbody tr:not(.none)"));
    }

    @Test
    void theOverviewUpdatesLiveWithoutReloading() throws Exception {
        open("/");
        WebElement requests = chromium.driver.findElement(By.id("sum-requests"));
        waiting().until(d -> !requests.getText().equals("–"));
        assertThat(chromium.driver.findElement(By.id("sum-volumes")).getText()).isEqualTo("3");
        assertThat(chromium.driver.findElement(By.id("sum-bytes")).getText()).isEqualTo("7.57 GiB");
        String first = requests.getText();
        chromium.driver.executeScript("window.siloNoReload = 42;");
        waiting().until(d -> !requests.getText().equals(first));
        assertThat(chromium.driver.executeScript("return window.siloNoReload;")).isEqualTo(42L);
        waiting()
                .until(d ->
                        ((Number) chromium.driver.executeScript("return overview.rates('requests').length;")).intValue()
                                >= 3);
        assertThat(chromium.driver.findElement(By.id("live")).getText()).isEqualTo("live");
        chromium.screenshot("overview");
    }

    @Test
    void aMoversProgressMovesWithoutReloading() throws Exception {
        open("/movers");
        waiting().until(d -> !rows("movers").isEmpty());
        chromium.driver.executeScript("window.siloNoReload = 7;");
        assertThat(read("#movers td.progress", e -> e.getAttribute("data-percent")))
                .isEqualTo("25");
        data.moverDone(FixtureControlData.RUNNING_BYTES * 3 / 4);
        waiting()
                .until(d -> d.findElement(By.cssSelector("#movers td.progress"))
                        .getAttribute("data-percent")
                        .equals("75"));
        assertThat(chromium.driver.executeScript("return window.siloNoReload;"))
                .as("the same page, not a reload")
                .isEqualTo(7L);
        assertThat(read("#jobs tbody tr", WebElement::getText)).contains("/exp/big.dat", "active", "mover1");
        chromium.screenshot("movers");
    }

    @Test
    void anAdminLogsInAndChangesAVolumesState() throws Exception {
        open("/volumes");
        waiting().until(d -> rows("volumes").size() == 3);

        chromium.driver.findElement(By.id("filter")).sendKeys("TAPE");
        assertThat(rows("volumes")).hasSize(2);
        chromium.driver.findElement(By.id("filter")).clear();
        new Select(chromium.driver.findElement(By.id("state-filter"))).selectByValue("readonly");
        assertThat(rows("volumes"))
                .extracting(r -> r.getAttribute("data-label"))
                .containsExactly("TAPE02");
        new Select(chromium.driver.findElement(By.id("state-filter"))).selectByValue("");
        chromium.driver.findElement(By.cssSelector("th[data-key=files]")).click();
        assertThat(rows("volumes"))
                .extracting(r -> r.getAttribute("data-label"))
                .containsExactly("TAPE02", "DISK07", "TAPE01");

        changeState("TAPE01", "noaccess", "drive cleaning");
        WebElement message = chromium.driver.findElement(By.id("message"));
        waiting().until(ExpectedConditions.textToBePresentInElement(message, "archive:vol:TAPE01:admin"));
        assertThat(message.getText()).contains("log in");

        chromium.driver.findElement(By.id("login-list")).sendKeys("root");
        chromium.driver.findElement(By.id("login-password")).sendKeys(FixtureControlData.ROOT_PASSWORD);
        chromium.driver.findElement(By.id("login-submit")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("who"), "logged in as root"));

        changeState("TAPE01", "noaccess", "drive cleaning");
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("tr[data-label=TAPE01] td.state"), "noaccess"));
        assertThat(message.getText()).isEqualTo("TAPE01 is now noaccess");
        assertThat(data.whatis("volume", "TAPE01"))
                .containsEntry("stateBy", "root")
                .containsEntry("stateReason", "drive cleaning");
        chromium.screenshot("volumes");

        chromium.driver.findElement(By.id("logout")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("login-form")));
    }

    @Test
    void anAdminReprioritisesAndCancelsAQueuedJobAndConfirmsAMount() throws Exception {
        long job = ((Number) data.queueVerify("DISK07", "test").get("id")).longValue();
        data.mountWaiting("TAPE02", "mover1");
        open("/movers");
        waiting()
                .until(d -> !chromium.driver
                        .findElements(By.cssSelector("tr[data-job='" + job + "']"))
                        .isEmpty());
        assertThat(readAll("#mounts tbody tr", WebElement::getText))
                .singleElement()
                .asString()
                .contains("TAPE02", "mover1");
        click("tr[data-job='" + job + "'] button.cancel");
        WebElement message = chromium.driver.findElement(By.id("message"));
        waiting().until(ExpectedConditions.textToBePresentInElement(message, "archive::admin"));

        chromium.driver.findElement(By.id("login-list")).sendKeys("root");
        chromium.driver.findElement(By.id("login-password")).sendKeys(FixtureControlData.ROOT_PASSWORD);
        chromium.driver.findElement(By.id("login-submit")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("who"), "logged in as root"));

        chromium.driver.findElement(By.id("priority-job")).sendKeys(String.valueOf(job));
        chromium.driver.findElement(By.id("priority-value")).sendKeys("500");
        chromium.driver.findElement(By.cssSelector("#priority-form button")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("message"), "job " + job + ": priority 500"));
        waiting()
                .until(d -> d.findElement(By.cssSelector("tr[data-job='" + job + "'] td:nth-child(4)"))
                        .getText()
                        .equals("500"));

        click("tr[data-mount=TAPE02] button.confirm");
        waiting().until(ExpectedConditions.textToBe(By.id("message"), "TAPE02 confirmed"));
        waiting().until(d -> rows("mounts").isEmpty());
        assertThat(data.mounts()).isEmpty();

        click("tr[data-job='" + job + "'] button.cancel");
        waiting().until(ExpectedConditions.textToBe(By.id("message"), "job " + job + " cancelled"));

        chromium.driver.findElement(By.id("rename-mover")).sendKeys("mover1");
        chromium.driver.findElement(By.id("rename-name")).sendKeys("drive-a");
        chromium.driver.findElement(By.cssSelector("#rename-form button")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("message"), "mover mover1 is now drive-a"));
        waiting()
                .until(d -> !d.findElements(By.cssSelector("tr[data-mover=drive-a]"))
                        .isEmpty());
        data.renameMover("drive-a", "mover1", "test"); // as the other tests expect it
        waiting()
                .until(d -> d.findElements(By.cssSelector("tr[data-job='" + job + "']"))
                        .isEmpty());
        chromium.screenshot("queue-admin");
        chromium.driver.findElement(By.id("logout")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("login-form")));
    }

    @Test
    void fileLeasesAreListedWithTheirHoldersAndRecalls() throws Exception {
        open("/leases");
        waiting().until(d -> rows("leases").size() == 3);
        assertThat(readAll("#leases tbody tr", r -> r.getAttribute("data-holder")))
                .containsExactly("alice-laptop", "bob-ws", "qemu-3");
        assertThat(read("tr[data-holder=bob-ws]", WebElement::getText)).contains("/exp/run1.dat", "read", "recalled");
        assertThat(read("tr[data-holder=qemu-3]", WebElement::getText)).contains("device:retro", "write");
        chromium.screenshot("leases");
    }

    /**
     * Fills in and applies a volume's row. A login reloads the table, so the row may be replaced at any
     * step: then it is all done again on the new row (the click is the last step, so it happens once).
     */
    private static void changeState(String label, String state, String reason) {
        waiting().until(d -> rows("volumes").size() == 3);
        waiting().until(d -> {
            WebElement row = d.findElement(By.cssSelector("tr[data-label=" + label + "]"));
            new Select(row.findElement(By.cssSelector("select.new-state"))).selectByValue(state);
            WebElement why = row.findElement(By.cssSelector("input.reason"));
            why.clear();
            why.sendKeys(reason);
            row.findElement(By.cssSelector("button.apply")).click();
            return true;
        });
    }

    @Test
    void filesAreBrowsedAndDescribed() throws Exception {
        open("/files");
        waiting().until(d -> rows("files").size() == 2);
        chromium.driver
                .findElement(By.cssSelector("tr[data-path='/data'] a.dir"))
                .click();
        waiting().until(d -> rows("files").size() == 3);
        chromium.driver
                .findElement(By.cssSelector("tr[data-path='/data/run2.raw'] a.file"))
                .click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("details")));
        assertThat(chromium.driver
                        .findElement(By.cssSelector("#details dd[data-key=volume]"))
                        .getText())
                .isEqualTo("TAPE02");
        assertThat(chromium.driver
                        .findElement(By.cssSelector("#details dd[data-key=adler32]"))
                        .getText())
                .isEqualTo("11223344");
        assertThat(chromium.driver.getCurrentUrl()).endsWith("#%2Fdata");
        chromium.screenshot("files");
    }

    @Test
    void imagesShowWhoHasThemOpen() throws Exception {
        open("/images");
        waiting().until(d -> rows("images").size() == 2);
        // the page reloads its table every 5 s: read() finds the cell again if a reload replaced it
        assertThat(read("tr[data-name=retro] td.holders", WebElement::getText))
                .isEqualTo("nbd /10.0.0.5:53422 (write)\nblockhead /10.0.0.9:4444 (read)");
        assertThat(read("tr[data-name=scratch] td.holders", WebElement::getText))
                .isEqualTo("nobody");
        assertThat(read("tr[data-snapshot='retro@2'] td.parent", WebElement::getText))
                .isEqualTo("retro@1");
        assertThat(read("tr[data-snapshot='retro@2'] td.took", WebElement::getText))
                .isEqualTo("4.2 s");
        assertThat(read("tr[data-snapshot='retro@1'] td.taken", WebElement::getText))
                .isEqualTo("2026-12-01 03:21:07 UTC");
        chromium.screenshot("images");
    }
}
