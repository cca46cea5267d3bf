package io.beamline.runners.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.beamline.runners.monitor.db.MonitorDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The monitor's web page in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, driven by Selenium with both paths given, so Selenium Manager downloads
 * nothing): a running run's STF counts appear and grow while the page stays loaded. Skipped without
 * Chromium unless {@code BEAMLINE_REQUIRE_INTEROP=1} (CI), where it fails.
 */
class MonitorPageIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path DRIVER = Paths.get("/usr/bin/chromedriver");

  @TempDir Path dir;
  private MonitorDatabase db;
  private MonitorServer server;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
      String why =
          "Chromium is not installed ("
              + CHROMIUM
              + ", "
              + DRIVER
              + "; apt-get install chromium chromium-driver)";
      if ("1".equals(System.getenv("BEAMLINE_REQUIRE_INTEROP"))) {
        fail(why + " but BEAMLINE_REQUIRE_INTEROP=1 requires it");
      }
      Assumptions.abort(why + "; set BEAMLINE_REQUIRE_INTEROP=1 to fail instead");
    }
    db = MonitorDatabase.open(MonitorDatabase.h2Url(dir), null, null);
    server =
        MonitorServer.start(db, "127.0.0.1", 0, MonitorSuite.TOKEN, Duration.ofSeconds(180), 30);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--user-data-dir=" + dir.resolve("chromium"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER.toString()))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
      db.close();
    }
  }

  @Test
  void runningRunsStfCountAppearsAndGrowsWithoutReload() throws Exception {
    MonitorClient api = new MonitorClient(server.port(), MonitorSuite.TOKEN);
    long run = 100010;
    api.post("/api/runs", Map.of("run_number", run, "status", "running"));
    api.post(
        "/api/stf-files",
        Map.of("filename", MonitorSuite.stf(run, 1), "run_number", run, "sequence", 1));
    browser.get(api.base() + "/");
    // The page re-renders its tables as data arrives: an element found a moment ago may be gone,
    // so waits retry a stale element and reads find it afresh.
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    wait.ignoring(StaleElementReferenceException.class);
    By registered = By.cssSelector("#run-" + run + " .stf-registered");
    wait.until(d -> !d.findElements(registered).isEmpty());
    assertEquals("1", text(registered));
    assertEquals("running", text(By.cssSelector("#run-" + run + " .run-status")));
    wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
    // The page is never reloaded from here on: a marker set now must survive.
    ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.notReloaded = 1;");
    for (int seq = 2; seq <= 4; seq++) {
      assertEquals(201, api.post("/api/workflow-messages", MonitorSuite.stfGen(run, seq)).status());
      String want = Integer.toString(seq);
      wait.until(d -> d.findElement(registered).getText().equals(want));
    }
    // A registration written over REST without a message shows through the periodic refresh.
    api.post(
        "/api/stf-files",
        Map.of(
            "filename",
            MonitorSuite.stf(run, 5),
            "run_number",
            run,
            "sequence",
            5,
            "status",
            "processed"));
    wait.until(d -> d.findElement(registered).getText().equals("5"));
    assertEquals("1", text(By.cssSelector("#run-" + run + " .stf-processed")));
    assertTrue(text(By.id("feed")).contains("stf_gen"));
    assertEquals(
        1L,
        ((Number)
                ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript("return window.notReloaded;"))
            .longValue());
  }

  /** The text of the element {@code by} finds, found again if the page re-rendered it meanwhile. */
  private String text(By by) {
    return new WebDriverWait(browser, Duration.ofSeconds(5))
        .ignoring(StaleElementReferenceException.class)
        .until(d -> d.findElement(by).getText());
  }
}
