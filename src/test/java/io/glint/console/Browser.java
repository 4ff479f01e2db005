package io.glint.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, installed by {@code .ci/run})
 * driven through WebDriver, with a fresh profile, the sandbox off (the suite may run as root) and Chromium's
 * own background traffic off (on a closed network its connection attempts would otherwise fail the page's).
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  final ChromeDriver driver;
  private final ChromeDriverService service;
  private final Path profile;

  Browser() {
    try {
      profile = Files.createTempDirectory("glint-chromium-profile");
      Files.createDirectories(SCREENSHOTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  WebElement find(String css) {
    return waitFor(d -> {
      var found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, 15);
  }

  <T> T waitFor(Function<WebDriver, T> condition, int seconds) {
    try {
      return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(50)).until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new org.openqa.selenium.TimeoutException(e.getMessage() + "\nBrowser console: " + consoleLog()
          + "\nPage: " + driver.findElement(By.tagName("body")).getText(), e);
    }
  }

  /** What the page logged (errors included), for failure messages. */
  String consoleLog() {
    StringBuilder sb = new StringBuilder();
    driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
        .forEach(entry -> sb.append("\n  ").append(entry.getLevel()).append(' ').append(entry.getMessage()));
    return sb.toString();
  }

  void type(String css, String text) {
    WebElement e = find(css);
    e.clear();
    e.sendKeys(text);
  }

  void select(String css, String value) {
    new Select(find(css)).selectByValue(value);
  }

  void click(String css) {
    find(css).click();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Goes to a console page without reloading it (a reload would forget the session, held in memory only). */
  void go(String hash) {
    js("location.hash = arguments[0]", hash);
  }

  String text(String css) {
    return find(css).getText();
  }

  boolean alertShown() {
    try {
      driver.switchTo().alert();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** A screenshot of the whole page into target/console-screenshots/{name}.png. */
  Path screenshot(String name) {
    Object height = js("return Math.min(4000, document.documentElement.scrollHeight)");
    Dimension before = driver.manage().window().getSize();
    int h = Math.max(before.getHeight(), ((Number) height).intValue() + 140);
    driver.manage().window().setSize(new Dimension(before.getWidth(), h));
    try {
      Path png = SCREENSHOTS.resolve(name + ".png");
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), png, StandardCopyOption.REPLACE_EXISTING);
      return png;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temporary profile is harmless
      }
    }
  }
}
