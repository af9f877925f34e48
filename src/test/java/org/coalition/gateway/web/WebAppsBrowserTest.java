package org.coalition.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
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
import org.openqa.selenium.support.ui.Select;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import org.coalition.gateway.support.Fixtures;
import org.coalition.gateway.support.Fixtures.EnrolledMember;
import org.coalition.gateway.support.GatewayTest;
import org.coalition.gateway.support.GraphQl;
import org.coalition.gateway.support.Tokens;
import org.coalition.gateway.support.WebLoginProvider;

/**
 * The web apps in a real browser (Debian's headless Chromium): a member, a partner's staff user and the settlement
 * team sign in through the OIDC login form and use their app; what the pages show is checked against the GraphQL
 * API. Each page is saved as a screenshot (target/screenshots/; docs/screenshots/ with -Dweb.screenshots, for the README).
 */
@GatewayTest
@TestProfile(WebAppsBrowserTest.OwnDatabase.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebAppsBrowserTest {

    /**
     * A database of its own: the settlement test closes the current period, which other tests close too. And one
     * dev-staff user, as dev mode maps the OIDC dev server's users (PartnerConsoleBrowserTest).
     */
    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coalition.web.periods-shown", "6",
                    "coalition.web.dev-staff." + DEV_STAFF_SUBJECT + ".partner", "fuelco",
                    "coalition.web.dev-staff." + DEV_STAFF_SUBJECT + ".permissions", "members:read,points:earn");
        }
    }

    /** The subject of a web user whose token names no partner, mapped to FuelCo's staff by the profile above. */
    static final String DEV_STAFF_SUBJECT = "fuelco-dev-staff";

    static final String PASSWORD = "correct horse battery staple";
    static final String ME = "{ me { balance available pointsByIssuer { partner { id } points } } }";
    /** The budget for the member portal on the dev machine. */
    static final double FIRST_PAINT_BUDGET_MILLIS = 1000;
    static final long JAVASCRIPT_BUDGET_BYTES = 200 * 1024;

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "web-login.url")
    String loginProvider;

    private Browser browser;
    private EnrolledMember member;
    private String memberSubject;

    /** Once, before the first test: RestAssured knows the gateway's random port only once a test runs. */
    @BeforeEach
    void startBrowser() {
        if (browser != null) {
            return;
        }
        String base = root.toString().replaceAll("/$", "");
        browser = new Browser(base);
        member = Fixtures.enroll(Fixtures.FRESHMART);
        Fixtures.earnOk(Fixtures.FRESHMART, member, "84.00");
        Fixtures.earnOk(Fixtures.FUELCO, member, "45.50");
        memberSubject = "web-member-" + UUID.randomUUID();
        JsonPath claimed = GraphQl.call(Tokens.member(memberSubject),
                "mutation($input: ClaimMembershipInput!) { claimMembership(input: $input) { member { id } } }",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "cardNumber", member.cardNumber())));
        assertEquals(member.id(), claimed.getString("data.claimMembership.member.id"), claimed::prettify);
        register("anna", memberSubject, List.of("member"), new JsonObject());
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void memberSeesTheBalancesGraphQlShowsAndTheirCardAsAQrCode() {
        browser.signIn("/app", "anna", PASSWORD);
        assertTrue(browser.driver().getCurrentUrl().endsWith("/app/member"), browser.driver().getCurrentUrl());
        JsonPath me = GraphQl.call(Tokens.member(memberSubject), ME);
        assertEquals(String.format(java.util.Locale.ENGLISH, "%,d", me.getInt("data.me.balance")), browser.text(By.cssSelector("[data-test=balance]")));
        for (Map<String, Object> issuer : me.<Map<String, Object>>getList("data.me.pointsByIssuer")) {
            String partnerId = (String) ((Map<?, ?>) issuer.get("partner")).get("id");
            String shown = browser.text(By.cssSelector("[data-test=brand-" + partnerId + "] .value"));
            assertEquals(String.format(java.util.Locale.ENGLISH, "%,d", (Integer) issuer.get("points")), shown, partnerId);
        }
        assertEquals(member.cardNumber(), browser.text(By.cssSelector("[data-test=card-number]")));
        assertTrue(browser.driver().findElements(By.cssSelector("svg.qr path")).size() == 1, "the card's QR code");
        browser.screenshot("member-portal");
    }

    @Test
    @Order(2)
    void memberPortalPaintsWithinOneSecondAndShipsNoScript() {
        browser.open("/app/member");
        browser.waitFor(By.cssSelector("[data-test=balance]"));
        double firstPaint = browser.firstContentfulPaintMillis();
        long scriptBytes = browser.performanceEntries("resource").stream()
                .filter(entry -> "script".equals(entry.get("initiatorType")))
                .mapToLong(entry -> ((Number) entry.get("encodedBodySize")).longValue()).sum();
        long scripts = browser.driver().findElements(By.tagName("script")).size();
        double load = browser.performanceEntries("navigation").stream()
                .mapToDouble(entry -> ((Number) entry.get("duration")).doubleValue()).findFirst().orElse(-1);
        System.out.printf("web-performance: member portal first contentful paint %.0f ms, page load %.0f ms, "
                + "%d script elements, %d bytes of JavaScript%n", firstPaint, load, scripts, scriptBytes);
        assertTrue(firstPaint < FIRST_PAINT_BUDGET_MILLIS, "first contentful paint " + firstPaint + " ms");
        assertTrue(scriptBytes < JAVASCRIPT_BUDGET_BYTES, scriptBytes + " bytes of JavaScript");
        assertEquals(0, scripts, "the portal runs without script");
    }

    @Test
    @Order(3)
    void memberDonatesToACharityAndGraphQlSeesTheNewBalance() {
        int before = GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance");
        browser.open("/app/member");
        new Select(browser.waitFor(By.id("charity"))).selectByValue("greenheart");
        browser.driver().findElement(By.id("donate-points")).sendKeys("25");
        browser.follow(browser.driver().findElement(By.cssSelector("form[action='/app/member/donate'] button")));
        assertTrue(browser.text(By.cssSelector(".notice")).contains("25"));
        int after = GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance");
        assertEquals(before - 25, after);
        assertEquals(String.format(java.util.Locale.ENGLISH, "%,d", after), browser.text(By.cssSelector("[data-test=balance]")));
        browser.screenshot("member-donated");
    }

    @Test
    @Order(4)
    void memberFiltersTheirHistoryAndReadsItInDutch() {
        browser.open("/app/member/history");
        assertEquals(3, browser.driver().findElements(By.cssSelector("[data-test=tx]")).size(), "two earns and a donation");
        new Select(browser.waitFor(By.id("kind"))).selectByValue("DONATION");
        browser.follow(browser.driver().findElement(By.cssSelector("form.filters button")));
        browser.waitFor(By.cssSelector("[data-test=tx]"));
        List<String> rows = browser.driver().findElements(By.cssSelector("[data-test=tx]")).stream().map(row -> row.getText()).toList();
        assertEquals(1, rows.size(), rows::toString);
        assertTrue(rows.get(0).contains("Donated") && rows.get(0).contains("25"), rows::toString);
        browser.screenshot("member-history");
        browser.language("nl-NL,nl;q=0.9,en;q=0.5");
        browser.open("/app/member");
        assertEquals("Saldo", browser.text(By.id("balance-title")));
        assertEquals("nl", browser.driver().findElement(By.tagName("html")).getAttribute("lang"));
        browser.screenshot("member-portal-nl");
        browser.language("en-GB,en");
    }

    @Test
    @Order(5)
    void memberCannotOpenThePartnerConsoleOrTheSettlementDashboard() {
        for (String page : List.of("/app/partner", "/app/settlement", "/app/settlement/periods/" + UUID.randomUUID())) {
            browser.open(page);
            assertEquals("Not for you", browser.text(By.tagName("h1")), page);
        }
        assertEquals(403, browser.download("/app/settlement").statusCode());
        browser.screenshot("forbidden");
    }

    @Test
    @Order(6)
    void aFormPostWithoutTheMembersCsrfTokenDonatesNothing() {
        int before = GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance");
        String forged = "idempotencyKey=" + UUID.randomUUID() + "&charityPartnerId=greenheart&points=10";
        assertEquals(403, browser.postForm("/app/member/donate", forged).statusCode());
        assertEquals(403, browser.postForm("/app/member/donate", forged + "&csrf=not-the-token").statusCode());
        assertEquals(before, GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance"));
        var page = browser.download("/app/member");
        assertEquals(200, page.statusCode());
        String withToken = forged + "&csrf=" + Browser.csrfToken(page.body());
        assertEquals(403, browser.postForm("/app/member/donate", withToken, "Origin", "https://evil.example").statusCode());
        assertEquals(403, browser.postForm("/app/member/donate", withToken, "Sec-Fetch-Site", "cross-site").statusCode());
        assertEquals(before, GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance"));
        assertEquals(303, browser.postForm("/app/member/donate", withToken).statusCode(), "the real token, from this site");
        assertEquals(before - 10, GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"), csp);
    }

    @Test
    @Order(7)
    void partnerStaffEarnForAMemberAndSeeItInTheirTransactions() {
        register("piet", "freshmart-staff-" + UUID.randomUUID(), List.of("partner-staff"), new JsonObject()
                .put("coalition_partner", "freshmart").put("coalition_permissions", "members:read points:earn points:reverse campaigns:manage webhooks:manage"));
        browser.signIn("/app", "piet", PASSWORD);
        assertTrue(browser.driver().getCurrentUrl().endsWith("/app/partner"), browser.driver().getCurrentUrl());
        browser.waitFor(By.id("card")).sendKeys(member.cardNumber());
        browser.follow(browser.driver().findElement(By.cssSelector("form.lookup button")));
        int before = GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance");
        assertEquals(String.format(java.util.Locale.ENGLISH, "%,d", before), browser.text(By.cssSelector("[data-test=balance]")));
        int ownTransactions = browser.driver().findElements(By.cssSelector("[data-test=tx]")).size();
        browser.waitFor(By.id("amount")).sendKeys("12.50");
        browser.driver().findElement(By.id("reference")).sendKeys("R-1001");
        browser.follow(browser.driver().findElement(By.cssSelector("form[action='/app/partner/earn'] button")));
        String notice = browser.text(By.cssSelector("[data-test=notice]"));
        assertTrue(notice.contains("points earned"), notice);
        assertTrue(browser.driver().findElements(By.cssSelector("[data-test=tx]")).size() > ownTransactions);
        assertTrue(browser.text(By.cssSelector("table.list")).contains("R-1001"));
        int after = GraphQl.call(Tokens.member(memberSubject), ME).getInt("data.me.balance");
        assertTrue(after > before, before + " -> " + after);
        assertEquals(String.format(java.util.Locale.ENGLISH, "%,d", after), browser.text(By.cssSelector("[data-test=balance]")));
        browser.screenshot("partner-console");
        browser.follow(browser.driver().findElement(By.linkText("Campaigns")));
        assertTrue(browser.text(By.tagName("h1")).startsWith("Campaigns"));
        browser.follow(browser.driver().findElement(By.linkText("Webhooks")));
        assertTrue(browser.text(By.tagName("h1")).startsWith("Webhooks"));
        browser.open("/app/partner?card=" + member.cardNumber());
        assertFalse(browser.text(By.cssSelector("table.list")).contains("Fuel"), "another partner's transactions");
        browser.open("/app/member");
        assertEquals("Not for you", browser.text(By.tagName("h1")));
        browser.follow(browser.driver().findElement(By.linkText("Sign out")));
        assertEquals("You are signed out", browser.text(By.tagName("h1")));
        browser.open("/app/partner");
        browser.waitFor(By.id("username"));
    }

    @Test
    @Order(9)
    void settlementClosesAPeriodAndDownloadsItsCsv() {
        register("sanne", "settlement-" + UUID.randomUUID(), List.of("settlement"), new JsonObject());
        browser.signIn("/app", "sanne", PASSWORD);
        assertTrue(browser.driver().getCurrentUrl().endsWith("/app/settlement"), browser.driver().getCurrentUrl());
        browser.screenshot("settlement-periods");
        browser.waitFor(By.cssSelector("[data-test=period-OPEN] button"));
        // newest first: the oldest open period is the one that may be closed now
        List<org.openqa.selenium.WebElement> open = browser.driver().findElements(By.cssSelector("[data-test=period-OPEN] button"));
        browser.follow(open.get(open.size() - 1));
        assertEquals("Closed", browser.text(By.cssSelector("[data-test=status]")));
        String closedPeriodId = browser.driver().getCurrentUrl().replaceAll(".*/periods/", "");
        assertFalse(browser.driver().findElements(By.cssSelector("table.heat td.heat-5")).isEmpty(), "the heat map");
        assertFalse(browser.driver().findElements(By.cssSelector("[data-test=statement]")).isEmpty());
        browser.screenshot("settlement-period");
        String csv = browser.driver().findElement(By.cssSelector("[data-test=csv]")).getAttribute("href");
        var download = browser.download(csv.substring(browser.baseUrl.length()));
        assertEquals(200, download.statusCode(), download.body());
        assertTrue(download.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertTrue(download.body().lines().count() > 2, download.body());
        assertTrue(download.body().contains("freshmart"), download.body());
        browser.follow(browser.driver().findElement(By.cssSelector("[data-test=statement] a")));
        browser.waitFor(By.cssSelector("[data-test=record]"));
        browser.screenshot("settlement-records");
        browser.open("/app/settlement");
        browser.waitFor(By.cssSelector(".charts svg"));
        browser.screenshot("settlement-chart");

        // FreshMart disputes one of its records of the closed period; the team rejects it on the dashboard
        String periodId = closedPeriodId;
        JsonPath statement = GraphQl.call(Tokens.partner(Fixtures.FRESHMART),
                "query($p: ID!) { settlementStatement(periodId: $p) { records(first: 1) { edges { node { id } } } } }",
                Map.of("p", periodId));
        String recordId = statement.getString("data.settlementStatement.records.edges[0].node.id");
        JsonPath raised = GraphQl.call(Tokens.partner(Fixtures.FRESHMART),
                "mutation($input: DisputeSettlementRecordInput!) { disputeSettlementRecord(input: $input) { dispute { id } userErrors { message } } }",
                Map.of("input", Map.of("idempotencyKey", Fixtures.key(), "recordId", recordId, "reason", "Receipt R-1001 was cancelled")));
        assertEquals(List.of(), raised.getList("data.disputeSettlementRecord.userErrors"), raised::prettify);
        browser.open("/app/settlement");
        assertTrue(browser.text(By.cssSelector("[data-test=dispute]")).contains("Receipt R-1001 was cancelled"));
        browser.screenshot("settlement-dispute");
        browser.follow(browser.driver().findElement(By.cssSelector("[data-test=dispute] button[value=reject]")));
        assertEquals("Dispute rejected.", browser.text(By.cssSelector("[data-test=notice]")));
        assertTrue(browser.driver().findElements(By.cssSelector("[data-test=dispute]")).isEmpty());
    }

    @Test
    @Order(8)
    void staffHoldOnlyWhatTheirPartnersContractGrants() {
        // GreenHeart's contract grants no earning: the claim alone gives none
        register("greet", "greenheart-staff-" + UUID.randomUUID(), List.of("partner-staff"), new JsonObject()
                .put("coalition_partner", "greenheart").put("coalition_permissions", List.of("members:read", "points:earn")));
        browser.signIn("/app/partner?card=" + member.cardNumber(), "greet", PASSWORD);
        browser.waitFor(By.cssSelector("[data-test=balance]"));
        assertTrue(browser.driver().findElements(By.id("amount")).isEmpty(), "no earn form");
        assertTrue(browser.driver().findElements(By.linkText("Campaigns")).isEmpty());
        browser.open("/app/partner/webhooks");
        assertEquals("Not for you", browser.text(By.tagName("h1")));
        // a staff user without the partner claim is nobody's staff
        register("nobody", "staff-" + UUID.randomUUID(), List.of("partner-staff"), new JsonObject()
                .put("coalition_permissions", "members:read points:earn"));
        browser.signIn("/app/partner", "nobody", PASSWORD);
        assertEquals(403, browser.download("/app/partner").statusCode());
    }

    private void register(String username, String subject, List<String> roles, JsonObject claims) {
        register(loginProvider, username, subject, roles, claims);
    }

    /** A person in the tests' OIDC provider, as an admin would set them up in the coalition's IdP. */
    static void register(String loginProvider, String username, String subject, List<String> roles, JsonObject claims) {
        WebLoginProvider.register(loginProvider, new JsonObject().put("username", username).put("password", PASSWORD)
                .put("subject", subject).put("roles", new JsonArray(roles)).put("claims", claims));
    }
}
