package org.silo.control.web;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium and chromedriver, driven by Selenium with explicit paths, so Selenium Manager never
 * looks for (or downloads) a browser. Missing packages skip the browser tests with a message naming them.
 */
public final class HeadlessChromium implements AutoCloseable {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final Path profile;
    private final ChromeDriverService service;
    public final ChromeDriver driver;

    private HeadlessChromium() throws IOException {
        profile = Files.createTempDirectory("silo-chromium-");
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1400,900",
                "--user-data-dir=" + profile);
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120));
    }

    /** A started browser, or the test is skipped (never faked) when a package is missing. */
    public static HeadlessChromium startOrSkip() throws IOException {
        Assumptions.assumeTrue(
                Files.isExecutable(BROWSER),
                "browser tests skipped: " + BROWSER + " is missing (apt-get install chromium)");
        Assumptions.assumeTrue(
                Files.isExecutable(DRIVER),
                "browser tests skipped: " + DRIVER + " is missing (apt-get install chromium-driver)");
        // No Selenium Manager downloads: the machine may be offline, and the paths are explicit anyway.
        System.setProperty("SE_AVOID_BROWSER_DOWNLOAD", "true");
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        return new HeadlessChromium();
    }

    /** Saves a PNG of the window under target/screenshots/ (a test artifact). */
    public Path screenshot(String name) throws IOException {
        return screenshot(SCREENSHOTS, name);
    }

    /** Saves a PNG of the window as {@code dir/name.png}. */
    public Path screenshot(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
