package org.coalition.gateway.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (never a downloaded browser or driver: Selenium
 * Manager is not asked), with the flags that work on our machines: no sandbox as root, no background networking on
 * a closed network. A phone-sized window, since the member portal is built for phones first.
 */
final class Browser implements AutoCloseable {

    static final String CHROMIUM = System.getProperty("coalition.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("coalition.chromedriver", "/usr/bin/chromedriver");
    /**
     * Where the screenshots go: target/screenshots/ on every run, so that a test run leaves the working tree clean;
     * {@code -Dweb.screenshots=docs/screenshots} refreshes the ones the README shows.
     */
    static final Path SCREENSHOTS = Path.of(System.getProperty("web.screenshots", "target/screenshots"));
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final Path profile;
    final String baseUrl;

    Browser(String baseUrl) {
        this.baseUrl = baseUrl;
        for (String program : new String[] { CHROMIUM, CHROMEDRIVER }) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new IllegalStateException(program + " is missing: the browser tests need Debian's chromium and"
                        + " chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
            }
        }
        try {
            profile = Files.createTempDirectory("chromium-profile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--user-data-dir=" + profile, "--window-size=412,915");
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-GB,en"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(PATIENCE);
    }

    ChromeDriver driver() {
        return driver;
    }

    void open(String path) {
        driver.get(baseUrl + path);
    }

    /** Signs in through the provider's login form, starting from {@code path}. */
    void signIn(String path, String username, String password) {
        forgetSessions();
        open(path);
        waitFor(By.id("username")).sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        follow(driver.findElement(By.id("sign-in")));
        new WebDriverWait(driver, PATIENCE).until(d -> d.getCurrentUrl().startsWith(baseUrl + "/app"));
        waitFor(By.tagName("main"));
    }

    /** Forgets every session at once, whatever page is open (signing out through the IdP is a test of its own). */
    void forgetSessions() {
        driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    WebElement waitFor(By locator) {
        return new WebDriverWait(driver, PATIENCE).until(ExpectedConditions.presenceOfElementLocated(locator));
    }

    /**
     * Clicks something that loads a new page (a form button, a link) and waits until the old page is gone: otherwise
     * the next look-up may find the old page's element, which goes stale under the test or answers with old text.
     */
    void follow(WebElement clickable) {
        WebElement oldPage = driver.findElement(By.tagName("html"));
        clickable.click();
        new WebDriverWait(driver, PATIENCE).until(d -> isGone(oldPage));
    }

    private static boolean isGone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        } catch (WebDriverException e) {
            // chromedriver sometimes answers for an element of a replaced document with this instead of "stale"
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                return true;
            }
            throw e;
        }
    }

    String text(By locator) {
        return waitFor(locator).getText();
    }

    /** Every later request of this browser asks for this language first. */
    void language(String acceptLanguage) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Accept-Language", acceptLanguage)));
    }

    /** A full-page screenshot, saved under {@link #SCREENSHOTS}. */
    void screenshot(String name) {
        Object height = driver.executeScript("return Math.ceil(document.documentElement.scrollHeight)");
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(before.getWidth(), Math.min(4000, Math.max(before.getHeight(),
                ((Number) height).intValue() + 140))));
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    /** GET with this browser's session cookies, as a click on a download link would send it. */
    HttpResponse<String> download(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)));
    }

    /** A form POST with this browser's session cookies but none of its headers: what a forged request carries. */
    HttpResponse<String> postForm(String path, String form, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        String cookies = driver.manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
                .collect(Collectors.joining("; "));
        try {
            return HttpClient.newHttpClient().send(request.header("Cookie", cookies).timeout(PATIENCE).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The CSRF token a page's forms carry. */
    static String csrfToken(String page) {
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
        if (!token.find()) {
            throw new AssertionError("the page has no form with a CSRF token:\n" + page);
        }
        return token.group(1);
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> performanceEntries(String type) {
        return (List<Map<String, Object>>) driver.executeScript(
                "return performance.getEntriesByType(arguments[0]).map(e => e.toJSON())", type);
    }

    /**
     * When the page's first contentful paint began, in ms since navigation. Chromium records the entry after the frame
     * is presented, which can be after the page's elements are already found: wait for it rather than read too early.
     */
    double firstContentfulPaintMillis() {
        return new WebDriverWait(driver, PATIENCE).until(d -> performanceEntries("paint").stream()
                .filter(entry -> "first-contentful-paint".equals(entry.get("name")))
                .map(entry -> ((Number) entry.get("startTime")).doubleValue()).findFirst().orElse(null));
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile; the OS cleans up what is left
        }
    }
}
