package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.control.web.HeadlessChromium;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * The console's files page on a whole server: the JSON a directory page really has (kind, adler32, the
 * cursor), and the page in headless Chromium loading a large directory a page at a time.
 */
@Timeout(600)
class ConsoleFilesPagingBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aLargeDirectoryIsServedAndShownAPageAtATime(@TempDir Path dir) throws Exception {
        try (SiloServer server = SiloServer.start(TestSilo.config(dir.resolve("data")));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/big", false, "test"));
            c.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile(
                            "w-a", "/big/a.txt", "alpha".getBytes(StandardCharsets.UTF_8), null, null, null, "test"));
            c.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile(
                            "w-b", "/big/b.txt", "beta".getBytes(StandardCharsets.UTF_8), null, null, null, "test"));
            for (int i = 0; i < 450; i++) {
                c.call(FileClerkOps.MKDIR, new Mkdir(String.format("/big/d%03d", i), false, "test"));
            }
            String base = "http://127.0.0.1:" + server.consolePort();
            HttpClient http = HttpClient.newHttpClient();

            JsonNode first = get(http, base + "/api/files?path=/big");
            assertThat(first.get("entries")).hasSize(200);
            assertThat(first.at("/entries/0/name").asText()).isEqualTo("a.txt");
            assertThat(first.at("/entries/0/kind").asText()).isEqualTo("file");
            assertThat(first.at("/entries/0/size").asLong()).isEqualTo(5);
            assertThat(first.at("/entries/0/adler32").asText()).isEqualTo(String.format("%08x", adler("alpha")));
            assertThat(first.at("/entries/2/kind").asText()).isEqualTo("dir");
            assertThat(first.get("next").asText()).isEqualTo("d197");
            JsonNode last = get(http, base + "/api/files?path=/big&after=d397&limit=100");
            assertThat(last.get("entries")).hasSize(52);
            assertThat(last.has("next")).as("no cursor after the last page").isFalse();
            for (String bad : new String[] {"0", "10001", "many"}) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/files?path=/big&limit=" + bad))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
            }

            try (HeadlessChromium chromium = HeadlessChromium.startOrSkip()) {
                chromium.driver.get(base + "/files#%2Fbig");
                WebDriverWait wait = new WebDriverWait(chromium.driver, Duration.ofMinutes(2)); // a ceiling
                wait.until(
                        d -> d.findElements(By.cssSelector("#files tbody tr")).size() == 200);
                assertThat(chromium.driver.findElements(By.cssSelector("tr[data-path='/big/d000'] a.dir")))
                        .hasSize(1);
                assertThat(chromium.driver
                                .findElement(By.cssSelector("tr[data-path='/big/a.txt']"))
                                .getText())
                        .contains(String.format("%08x", adler("alpha")));
                chromium.driver.findElement(By.id("more")).click();
                wait.until(
                        d -> d.findElements(By.cssSelector("#files tbody tr")).size() == 400);
                chromium.driver.findElement(By.id("more")).click();
                wait.until(
                        d -> d.findElements(By.cssSelector("#files tbody tr")).size() == 452);
                wait.until(d -> !d.findElement(By.id("more")).isDisplayed());
                assertThat(chromium.driver.findElement(By.id("shown")).getText())
                        .isEqualTo("452 entries");
                assertThat(chromium.driver.findElements(By.cssSelector("tr[data-path='/big/d449']")))
                        .hasSize(1);
                chromium.screenshot("files-paged");
            }
        }
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static long adler(String s) {
        java.util.zip.Adler32 a = new java.util.zip.Adler32();
        a.update(s.getBytes(StandardCharsets.UTF_8));
        return a.getValue();
    }
}
