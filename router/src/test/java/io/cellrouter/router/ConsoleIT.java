package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.Chromium;
import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium, against a running router with two cells and a load
 * running through it: sign in, live traffic per cell, find a customer and its resolution path, a
 * move with its dry run and confirmation, a freeze (503 at the proxy), the list of overrides; a
 * viewer sees no write control and a write forged from its page is 403. Screenshots go to
 * {@code target/console-screenshots/}.
 */
class ConsoleIT {

    static final String VIEWER = "viewer-token-console-0123";

    @RegisterExtension
    final RouterExtension router =
            new RouterExtension().admin(() -> "  tokens:\n    - {token: " + VIEWER + ", role: viewer}");

    private final AtomicLong sent = new AtomicLong();
    private ScheduledExecutorService load;
    private Chromium chromium;

    @BeforeEach
    void startLoadAndBrowser() throws Exception {
        chromium = Chromium.start(); // fails, never skips, without chromium and chromium-driver
        load = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "console-load");
            thread.setDaemon(true);
            return thread;
        });
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        // About 40 requests a second over the three customers, until the test ends: the traffic the
        // console draws. A pace, not a wait: the test waits for the console's figures instead.
        load.scheduleWithFixedDelay(() -> sendOne(client), 0, 25, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stopLoadAndBrowser() throws Exception {
        if (load != null) {
            load.shutdownNow();
            assertThat(load.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    private void sendOne(HttpClient client) {
        List<String> customers = List.of("acme", "globex", "initech", "globex");
        try {
            client.send(
                    HttpRequest.newBuilder(router.proxy("/load"))
                            .header("x-customer-id", customers.get((int) (sent.get() % customers.size())))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            sent.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the test ended: shutdownNow
        } catch (java.io.IOException e) {
            // The router answers every request; a failure shows as missing traffic in the console,
            // which the test waits for. Thrown on, it would silently cancel the schedule.
        }
    }

    private WebDriver driver() {
        return chromium.driver();
    }

    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver(), Duration.ofSeconds(20), Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class); // the charts are redrawn every 2 s
        return wait;
    }

    private void signIn(String token) {
        driver().get(router.admin("/").toString());
        waiting().until(d -> d.findElement(By.id("sign-in")).isDisplayed());
        driver().findElement(By.id("token")).sendKeys(token);
        driver().findElement(By.id("sign-in-button")).click();
        waiting().until(d -> d.findElement(By.id("app")).isDisplayed());
    }

    private WebElement cellCard(String cell) {
        return driver().findElement(By.cssSelector(".cell-card[data-cell='" + cell + "']"));
    }

    private double figure(String cell, String name) {
        String text = cellCard(cell)
                .findElement(By.cssSelector(".figure." + name + " .value"))
                .getText();
        return Double.parseDouble(text.replace("%", ""));
    }

    /** How many of the 60 seconds in a cell's chart show requests (points above the baseline). */
    private long secondsWithTraffic(String cell) {
        String points = driver().findElement(By.cssSelector(".cell-card[data-cell='" + cell + "'] svg.chart polyline"))
                .getAttribute("points");
        return java.util.Arrays.stream(points.trim().split(" "))
                .mapToDouble(point -> Double.parseDouble(point.substring(point.indexOf(',') + 1)))
                .filter(y -> y < 45.5)
                .count();
    }

    private void findCustomer(String id) {
        WebElement input = driver().findElement(By.id("customer-id"));
        input.clear();
        input.sendKeys(id);
        driver().findElement(By.id("find-button")).click();
        waiting()
                .until(d -> d.findElement(By.id("customer")).isDisplayed()
                        && !d.findElement(By.id("customer-cell")).getText().isEmpty());
    }

    private String servedBy(String customer) throws Exception {
        return router.get(customer, "/x").headers().firstValue("x-served-by").orElse(null);
    }

    @Test
    void operator_seesLiveCells_findsAndMovesACustomerWithADryRun_thenFreezesIt() throws Exception {
        driver().get(router.admin("/").toString());
        waiting().until(d -> d.findElement(By.id("sign-in")).isDisplayed());
        chromium.screenshot("console-sign-in");
        signIn(RouterExtension.ADMIN_TOKEN);

        // Both cells, with their metadata, counts and non-zero live traffic while the load runs.
        waiting().until(d -> figure("cell-1", "rps") > 0 && figure("cell-2", "rps") > 0);
        waiting().until(d -> cellCard("cell-1")
                .findElement(By.cssSelector(".figure.customers .value"))
                .getText()
                .equals("2"));
        assertThat(cellCard("cell-1").getText()).contains("active", "eu-west-1", "prod");
        assertThat(cellCard("cell-1").findElements(By.cssSelector("svg.chart polyline")))
                .hasSize(1);
        assertThat(figure("cell-1", "p99")).isPositive();
        assertThat(driver().findElement(By.id("who")).getText()).contains("operator");
        // For the picture: let both charts show some seconds of history (the load keeps running).
        waiting().until(d -> secondsWithTraffic("cell-1") >= 6 && secondsWithTraffic("cell-2") >= 6);
        chromium.screenshot("console-cells");

        // The customer and how this router resolves it.
        findCustomer("acme");
        assertThat(driver().findElement(By.id("customer-cell")).getText()).isEqualTo("cell-1");
        WebElement decided = driver().findElement(By.cssSelector("#resolve-path li.decided"));
        assertThat(decided.getAttribute("data-source")).isIn("cache", "registry");
        assertThat(driver().findElement(By.id("customer-decision")).getText()).contains("routes to cell-1");

        // Move: the dry run first, nothing written, then the confirmation.
        new Select(driver().findElement(By.id("move-to"))).selectByValue("cell-2");
        driver().findElement(By.id("dry-run-button")).click();
        waiting().until(d -> d.findElement(By.id("dry-run")).isDisplayed());
        assertThat(driver().findElement(By.id("dry-run-result")).getText())
                .contains("Dry run: move acme from cell-1 to cell-2", "version 1 → 2");
        assertThat(servedBy("acme")).isEqualTo("cell-1");
        chromium.screenshot("console-move-dry-run");
        driver().findElement(By.id("confirm-move")).click();
        waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("Moved acme from cell-1 to cell-2"));
        assertThat(servedBy("acme")).isEqualTo("cell-2");
        waiting().until(d -> d.findElement(By.id("customer-cell")).getText().equals("cell-2"));

        // Freeze: the proxy answers 503 customer_frozen, and the override is listed with its expiry.
        WebElement ttl = driver().findElement(By.id("freeze-ttl"));
        ttl.clear();
        ttl.sendKeys("10m");
        driver().findElement(By.id("freeze-button")).click();
        waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("Froze acme"));
        HttpResponse<String> frozen = router.get("acme", "/x");
        assertThat(frozen.statusCode()).isEqualTo(503);
        assertThat(frozen.body()).contains("customer_frozen");
        WebElement row = waiting().until(d -> d.findElement(By.cssSelector("#overrides tr[data-customer='acme']")));
        assertThat(row.getText()).contains("freeze").containsPattern("in (9|10) m");
        assertThat(driver().findElement(By.id("customer-override")).getText()).startsWith("freeze until");
        assertThat(driver().findElement(By.cssSelector("#resolve-path li.decided"))
                        .getAttribute("data-source"))
                .isEqualTo("override");
        chromium.screenshot("console-freeze");

        assertThat(cspViolations()).isEmpty();
    }

    @Test
    void viewer_seesEverythingButNoWriteControl_andAForgedWriteIs403() throws Exception {
        signIn(VIEWER);
        waiting().until(d -> figure("cell-1", "rps") > 0);
        AdminCalls.of(router, RouterExtension.ADMIN_TOKEN)
                .send("PUT", "/admin/v1/overrides/globex", "{\"freeze\":true,\"ttl\":\"1h\",\"reason\":\"data copy\"}");
        findCustomer("globex");
        waiting().until(d -> !d.findElements(By.cssSelector("#overrides tr[data-customer='globex']"))
                .isEmpty());

        assertThat(driver().findElement(By.id("who")).getText()).contains("viewer");
        for (String control :
                List.of("move-form", "dry-run-button", "confirm-move", "freeze-button", "override-form")) {
            assertThat(driver().findElements(By.id(control))).as(control).isEmpty();
        }
        assertThat(driver().findElements(By.cssSelector("#overrides button"))).isEmpty();
        assertThat(driver().findElements(By.cssSelector("button.danger"))).isEmpty();
        chromium.screenshot("console-viewer");

        Object status = ((JavascriptExecutor) driver())
                .executeAsyncScript(
                        """
                        const done = arguments[arguments.length - 1];
                        fetch('/admin/v1/customers/globex/move', {
                          method: 'POST',
                          headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('cellRouterAdminToken'),
                                    'Content-Type': 'application/json'},
                          body: JSON.stringify({toCell: 'cell-1'})
                        }).then(r => r.json().then(b => done(r.status + ' ' + b.error)));
                        """);
        assertThat(status).isEqualTo("403 forbidden");
        assertThat(AdminCalls.of(router, RouterExtension.ADMIN_TOKEN)
                        .getJson("/admin/v1/customers/globex")
                        .get("cell")
                        .asText())
                .isEqualTo("cell-2");
        assertThat(cspViolations()).isEmpty();
    }

    @Test
    void consolePage_carriesAStrictContentSecurityPolicy_andNoInlineScriptOrStyle() throws Exception {
        HttpResponse<String> page = router.client()
                .send(HttpRequest.newBuilder(router.admin("/")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> script = router.client()
                .send(
                        HttpRequest.newBuilder(router.admin("/console/console.js"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(page.body())
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)")
                .doesNotContain("style=", "http://", "https://");
        assertThat(script.headers().firstValue("content-type").orElseThrow()).startsWith("text/javascript");
        // No address of another origin: the one "http://" is the SVG namespace, a name, not a request.
        assertThat(script.body().replace("\"http://www.w3.org/2000/svg\"", ""))
                .doesNotContain("http://", "https://", "innerHTML", "eval(");
        assertThat(router.client()
                        .send(
                                HttpRequest.newBuilder(router.admin("/console/nope.js"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);
    }

    /** What the browser logged about Content-Security-Policy (it blocks inline script and style). */
    private List<String> cspViolations() {
        return driver().manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to"))
                .toList();
    }
}
