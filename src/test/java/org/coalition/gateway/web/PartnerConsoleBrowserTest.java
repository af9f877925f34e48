package org.coalition.gateway.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.support.WebhookReceiver;
import org.coalition.gateway.webhook.WebhookSignature;

/**
 * The partner console's campaign and webhook pages in a real browser: a FreshMart staff user pauses and resumes a
 * campaign, creates a webhook endpoint and sees its secret once, rotates it, sends a dead letter again and deletes
 * the endpoint; what the pages did is checked through the GraphQL API and at the receiver. Staff without the
 * permissions see none of it and their forged posts are refused; a dev-server user mapped by
 * {@code coalition.web.dev-staff} (test profile) works as the partner's staff.
 */
@GatewayTest
@TestProfile(WebAppsBrowserTest.OwnDatabase.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartnerConsoleBrowserTest {

    static final String CAMPAIGNS = "{ campaigns { id status } }";
    static final String CREATE_CAMPAIGN = """
            mutation($input: CreateCampaignInput!) {
              createCampaign(input: $input) { campaign { id } userErrors { code field message } }
            }""";
    static final String SET_STATUS = """
            mutation($input: SetCampaignStatusInput!) {
              setCampaignStatus(input: $input) { campaign { status } userErrors { code message } }
            }""";
    static final String ENDPOINTS = "{ webhookEndpoints { id url enabled deadLetters } }";
    static final String ALL_STAFF_SCOPES = "members:read points:earn points:reverse campaigns:manage webhooks:manage";
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "web-login.url")
    String loginProvider;

    private Browser browser;
    private WebhookReceiver receiver;

    @BeforeEach
    void startBrowser() {
        if (browser == null) {
            browser = new Browser(root.toString().replaceAll("/$", ""));
            receiver = WebhookReceiver.started();
        }
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
            receiver.close();
        }
    }

    @Test
    @Order(1)
    void staffPauseAndResumeACampaignAndSeeWhyAnEndedOneCannotBePaused() {
        String name = "Web week " + Fixtures.key().substring(0, 6);
        String campaign = createCampaign(name);
        WebAppsBrowserTest.register(loginProvider, "marloes", "freshmart-marketing-" + UUID.randomUUID(), List.of("partner-staff"),
                new JsonObject().put("coalition_partner", "freshmart").put("coalition_permissions", ALL_STAFF_SCOPES));
        browser.signIn("/app/partner/campaigns", "marloes", WebAppsBrowserTest.PASSWORD);

        browser.follow(campaignCard(name).findElement(By.cssSelector("[data-test=pause]")));
        assertEquals("Campaign paused: it grants no bonus until resumed.", browser.text(By.cssSelector("[data-test=notice]")));
        assertEquals("Paused", campaignCard(name).findElement(By.cssSelector("[data-test=campaign-status]")).getText());
        assertEquals("PAUSED", statusOf(campaign));
        browser.screenshot("partner-campaigns");

        browser.follow(campaignCard(name).findElement(By.cssSelector("[data-test=resume]")));
        assertEquals("Campaign resumed.", browser.text(By.cssSelector("[data-test=notice]")));
        assertEquals("ACTIVE", statusOf(campaign));

        // ended through the API meanwhile: the page still offers Pause, and pausing answers why not, as a page
        setStatus(campaign, "ENDED");
        browser.follow(campaignCard(name).findElement(By.cssSelector("[data-test=pause]")));
        assertTrue(browser.text(By.cssSelector(".errors")).contains("An ended campaign stays ended"));
        assertEquals("ENDED", statusOf(campaign));
        assertTrue(campaignCard(name).findElements(By.cssSelector("button")).isEmpty(), "an ended campaign has no buttons");
        var forged = browser.postForm("/app/partner/campaigns/status", form("csrf", csrfOf("/app/partner/webhooks"),
                "idempotencyKey", Fixtures.key(), "campaignId", campaign, "status", "ACTIVE"));
        assertEquals(200, forged.statusCode(), "a business failure is a page, not a server error");
        assertTrue(forged.body().contains("An ended campaign stays ended"), forged.body());
    }

    @Test
    @Order(2)
    void staffCreateAWebhookEndpointSeeItsSecretOnceRotateItAndSendADeadLetterAgain() throws SQLException {
        browser.signIn("/app/partner/webhooks", "marloes", WebAppsBrowserTest.PASSWORD);
        browser.waitFor(By.id("url")).sendKeys(receiver.url());
        browser.driver().findElement(By.id("description")).sendKeys("Till reconciliation");
        browser.follow(browser.driver().findElement(By.cssSelector("[data-test=create] button")));
        String secret = browser.text(By.cssSelector("[data-test=signing-secret]"));
        assertFalse(secret.isBlank());
        browser.screenshot("partner-webhook-created");
        String endpoint = endpointAt(receiver.url()).getString("id");

        browser.open("/app/partner/webhooks");
        browser.waitFor(By.cssSelector("[data-test=webhook]"));
        assertTrue(browser.driver().findElements(By.cssSelector("[data-test=signing-secret]")).isEmpty(), "shown once");
        assertFalse(browser.driver().getPageSource().contains(secret), "the secret is nowhere on the page any more");

        browser.follow(endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=rotate]")));
        String rotated = browser.text(By.cssSelector("[data-test=signing-secret]"));
        assertNotEquals(secret, rotated);
        assertTrue(browser.text(By.cssSelector("[data-test=new-secret]")).contains("New signing secret"));

        long deliveryId = deadLetterFor(endpoint);
        browser.open("/app/partner/webhooks");
        WebElement dead = endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=dead-letter]"));
        assertTrue(dead.getText().contains("TransactionPosted") && dead.getText().contains("HTTP 500"), dead.getText());
        browser.screenshot("partner-webhooks");
        browser.follow(dead.findElement(By.cssSelector("[data-test=replay]")));
        assertEquals("1 dead deliveries queued again.", browser.text(By.cssSelector("[data-test=notice]")));

        WebhookReceiver.Received delivered = await().atMost(PATIENCE).until(() -> receiver.received().stream()
                .filter(r -> Long.toString(deliveryId).equals(r.header("Coalition-Delivery-Id"))).findFirst().orElse(null),
                received -> received != null);
        assertTrue(WebhookSignature.verify(delivered.header("Coalition-Signature"), delivered.body(), rotated, Instant.now(),
                Duration.ofMinutes(5)), "the delivery is signed with the secret the page showed");
        assertEquals(0, endpointAt(receiver.url()).getInteger("deadLetters"));
    }

    @Test
    @Order(3)
    void staffDisableEnableAndDeleteAnEndpoint() {
        browser.open("/app/partner/webhooks");
        browser.follow(endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=disable]")));
        assertEquals("Endpoint disabled: events raised now are not queued for it.", browser.text(By.cssSelector("[data-test=notice]")));
        assertEquals("disabled", endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=webhook-status]")).getText());
        assertFalse(endpointAt(receiver.url()).getBoolean("enabled"));

        browser.follow(endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=enable]")));
        assertEquals("enabled", endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=webhook-status]")).getText());
        assertTrue(endpointAt(receiver.url()).getBoolean("enabled"));

        endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=delete]")).click();
        assertTrue(endpointCard(receiver.url()).findElement(By.cssSelector("input[name=confirm]:invalid")).isDisplayed(),
                "unticked, the browser asks for the tick instead of sending the form");
        endpointCard(receiver.url()).findElement(By.cssSelector("input[name=confirm]")).click();
        browser.follow(endpointCard(receiver.url()).findElement(By.cssSelector("[data-test=delete]")));
        assertEquals("Endpoint deleted.", browser.text(By.cssSelector("[data-test=notice]")));
        assertEquals(null, endpointAt(receiver.url()));
    }

    @Test
    @Order(4)
    void staffWithoutThePermissionsSeeNoCampaignsOrWebhooksAndTheirForgedPostsAreRefused() {
        String campaign = createCampaign("Not theirs to pause " + Fixtures.key().substring(0, 6));
        int endpoints = GraphQl.call(Tokens.partner(Fixtures.FRESHMART), ENDPOINTS).getList("data.webhookEndpoints").size();
        WebAppsBrowserTest.register(loginProvider, "kees", "freshmart-till-" + UUID.randomUUID(), List.of("partner-staff"),
                new JsonObject().put("coalition_partner", "freshmart").put("coalition_permissions", "members:read points:earn"));
        browser.signIn("/app/partner", "kees", WebAppsBrowserTest.PASSWORD);
        assertTrue(browser.driver().findElements(By.linkText("Campaigns")).isEmpty());
        assertTrue(browser.driver().findElements(By.linkText("Webhooks")).isEmpty());
        assertEquals(403, browser.download("/app/partner/campaigns").statusCode());
        assertEquals(403, browser.download("/app/partner/webhooks").statusCode());

        // with kees's own, valid CSRF token (the earn form carries it): refused for want of the permission
        String csrf = csrfOf("/app/partner?card=" + Fixtures.enroll(Fixtures.FRESHMART).cardNumber());
        assertEquals(403, browser.postForm("/app/partner/campaigns/status", form("csrf", csrf, "idempotencyKey", Fixtures.key(),
                "campaignId", campaign, "status", "PAUSED")).statusCode());
        assertEquals(403, browser.postForm("/app/partner/webhooks", form("csrf", csrf, "idempotencyKey", Fixtures.key(),
                "url", receiver.url(), "eventTypes", "TRANSACTION_POSTED")).statusCode());
        assertEquals("ACTIVE", statusOf(campaign));
        assertEquals(endpoints, GraphQl.call(Tokens.partner(Fixtures.FRESHMART), ENDPOINTS).getList("data.webhookEndpoints").size());
        setStatus(campaign, "ENDED");
    }

    @Test
    @Order(5)
    void aDevServerUserMappedAsDevStaffWorksForTheirPartnerWithTheMappedPermissionsOnly() {
        // no partner claim in the token, as from the OIDC dev server; the test profile maps this subject to FuelCo
        WebAppsBrowserTest.register(loginProvider, "fuelco-staff", WebAppsBrowserTest.DEV_STAFF_SUBJECT, List.of("partner-staff"),
                new JsonObject());
        Fixtures.EnrolledMember member = Fixtures.enroll(Fixtures.FUELCO);
        browser.signIn("/app/partner?card=" + member.cardNumber(), "fuelco-staff", WebAppsBrowserTest.PASSWORD);
        assertEquals("FuelCo Stations", browser.text(By.tagName("h1")));
        browser.waitFor(By.id("amount")).sendKeys("20.00");
        browser.follow(browser.driver().findElement(By.cssSelector("form[action='/app/partner/earn'] button")));
        assertTrue(browser.text(By.cssSelector("[data-test=notice]")).contains("points earned"));
        assertTrue(browser.driver().findElements(By.linkText("Campaigns")).isEmpty(), "not among the mapped permissions");
        assertTrue(browser.driver().findElements(By.cssSelector("form[action='/app/partner/reverse']")).isEmpty());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private WebElement campaignCard(String name) {
        browser.waitFor(By.cssSelector("[data-test=campaign]"));
        return browser.driver().findElements(By.cssSelector("[data-test=campaign]")).stream()
                .filter(card -> card.findElement(By.tagName("h2")).getText().startsWith(name)).findFirst().orElseThrow();
    }

    private WebElement endpointCard(String url) {
        browser.waitFor(By.cssSelector("[data-test=webhook]"));
        return browser.driver().findElements(By.cssSelector("[data-test=webhook]")).stream()
                .filter(card -> card.findElement(By.cssSelector(".url")).getText().equals(url)).findFirst().orElseThrow();
    }

    private String csrfOf(String path) {
        return Browser.csrfToken(browser.download(path).body());
    }

    private static String form(String... namesAndValues) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            form.append(form.isEmpty() ? "" : "&").append(namesAndValues[i]).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return form.toString();
    }

    private static String createCampaign(String name) {
        Map<String, Object> input = Map.of("idempotencyKey", Fixtures.key(), "name", name,
                "rule", Map.of("kind", "BASKET_BONUS", "minimumBasket", new BigDecimal("500.00"), "bonusPoints", 10),
                "currency", "EUR", "startsAt", Instant.now().minus(Duration.ofMinutes(1)).toString(),
                "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(), "budgetPoints", 1000);
        JsonPath created = GraphQl.call(Tokens.partner(Fixtures.FRESHMART), CREATE_CAMPAIGN, Map.of("input", input));
        assertEquals(List.of(), created.getList("data.createCampaign.userErrors"), created::prettify);
        return created.getString("data.createCampaign.campaign.id");
    }

    private static void setStatus(String campaign, String status) {
        JsonPath set = GraphQl.call(Tokens.partner(Fixtures.FRESHMART), SET_STATUS,
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "id", campaign, "status", status)));
        assertEquals(status, set.getString("data.setCampaignStatus.campaign.status"), set::prettify);
    }

    private static String statusOf(String campaign) {
        return GraphQl.call(Tokens.partner(Fixtures.FRESHMART), CAMPAIGNS).<Map<String, Object>>getList("data.campaigns").stream()
                .filter(c -> campaign.equals(c.get("id"))).map(c -> (String) c.get("status")).findFirst().orElseThrow();
    }

    private static JsonObject endpointAt(String url) {
        return GraphQl.call(Tokens.partner(Fixtures.FRESHMART), ENDPOINTS).<Map<String, Object>>getList("data.webhookEndpoints")
                .stream().filter(e -> url.equals(e.get("url"))).map(JsonObject::new).findFirst().orElse(null);
    }

    /** A delivery that gave up after its last retry, as the delivery worker leaves one (set up as the superuser). */
    private static long deadLetterFor(String endpointId) throws SQLException {
        String sql = """
                with event as (
                    insert into partner_events (partner_id, type, payload)
                    values ('freshmart', 'TransactionPosted', '{"transactionId": "web-console-test"}'::jsonb) returning id
                )
                insert into webhook_deliveries (endpoint_id, partner_id, event_id, status, attempts, last_attempt_at,
                                                last_response_status, last_error)
                select ?::uuid, 'freshmart', id, 'DEAD', 6, now(), 500, 'HTTP 500' from event
                returning id
                """;
        try (Connection superuser = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                PreparedStatement insert = superuser.prepareStatement(sql)) {
            insert.setString(1, endpointId);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
