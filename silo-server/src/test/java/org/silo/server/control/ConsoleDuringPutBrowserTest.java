package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.control.web.HeadlessChromium;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * The console of a whole server in headless Chromium while a real put runs: the mover's progress bar
 * moves on the movers page without a reload (its mover held to 2 MB/s so that the put lasts 20 s: the
 * browser, redrawing every second, must see two readings 10 points apart before it ends, and on a busy
 * machine Chromium is slow), and the overview's bytes-moved count reaches the file's size.
 */
@Timeout(600)
class ConsoleDuringPutBrowserTest {

    @Test
    void aMoversBarMovesDuringARealPut(@TempDir Path dir) throws Exception {
        try (HeadlessChromium chromium = HeadlessChromium.startOrSkip();
                SiloServer server = SiloServer.start(
                        TestSilo.config(dir.resolve("data"), "archive.movers", "1", "archive.mover-rate", "2M"));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/watch", false, "test"));
            Path src = dir.resolve("big.bin");
            byte[] bytes = new byte[40 << 20];
            new Random(9).nextBytes(bytes);
            Files.write(src, bytes);

            chromium.driver.get("http://127.0.0.1:" + server.consolePort() + "/movers");
            WebDriverWait wait = new WebDriverWait(chromium.driver, Duration.ofMinutes(2)); // a ceiling
            wait.ignoring(
                    org.openqa.selenium.StaleElementReferenceException
                            .class); // the page redraws its tables every second
            wait.until(d -> !d.findElements(By.cssSelector("#movers tbody tr")).isEmpty());
            chromium.driver.executeScript("window.siloNoReload = 11;");

            CompletableFuture<TransferClient.Result> put;
            try (TransferClient t = new TransferClient(
                    LibraryClient.over(c), TransferClient.Options.defaults().withWait(Duration.ofMinutes(10)))) {
                put = CompletableFuture.supplyAsync(() -> t.putOne(src, "/watch/big.bin"));
                int first = percent(chromium, wait, 1);
                int later = percent(chromium, wait, first + 10);
                assertThat(later).isGreaterThan(first);
                String mover = wait.until(
                        d -> d.findElement(By.cssSelector("#movers tbody tr")).getText());
                assertThat(mover).contains("mover1", "active");
                wait.until(d -> d.findElement(By.cssSelector("#jobs tbody tr"))
                        .getText()
                        .contains("/watch/big.bin"));
                String job = wait.until(
                        d -> d.findElement(By.cssSelector("#jobs tbody tr")).getText());
                assertThat(job).contains("write", "active", "mover1");
                chromium.screenshot("movers-during-put");
                assertThat(put.get(10, TimeUnit.MINUTES).error()).isNull();
            }
            assertThat(chromium.driver.executeScript("return window.siloNoReload;"))
                    .as("the same page throughout")
                    .isEqualTo(11L);
            wait.until(d ->
                    d.findElement(By.cssSelector("#movers tbody tr")).getText().contains("idle"));
        }
    }

    /** Waits until the first mover's bar shows at least {@code atLeast} percent, and returns what it shows. */
    private static int percent(HeadlessChromium chromium, WebDriverWait wait, int atLeast) {
        return wait.until(d -> {
            String p = d.findElement(By.cssSelector("#movers td.progress")).getAttribute("data-percent");
            int n = p == null ? 0 : Integer.parseInt(p);
            return n >= atLeast && n < 100 ? n : null;
        });
    }
}
