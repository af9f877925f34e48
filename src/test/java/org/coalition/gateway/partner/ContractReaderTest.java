package org.coalition.gateway.partner;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.coalition.gateway.partner.PartnerContract.Version;
import org.coalition.gateway.tenancy.Permission;

/**
 * A broken partner contract must stop the start with a message naming the file and the field, so the
 * mistake is found in review and not at a till.
 */
class ContractReaderTest {

    /** A small, valid contract; each rejection test breaks exactly one thing in it. */
    private static final String ACME = """
            id: acme
            name: Acme Stores
            kind: RETAILER
            oidc:
              clientIds: [acme-pos]
            permissions: [points:earn, members:read]
            versions:
              - effectiveFrom: 2026-01-01T00:00:00Z
                version: 1
                earn:
                  currency: EUR
                  pointsPerUnit: 1
                  rounding: DOWN
                  categoryMultipliers:
                    organic: 2
                  maxPointsPerTransaction: 5000
                redemption:
                  minimumPoints: 1
                pricing:
                  issuePrice: 0.01
                  redemptionValue: 0.008
                settlement:
                  cycle: MONTHLY
                  currency: EUR
            """;

    private static final String SECOND_VERSION = """
              - effectiveFrom: 2026-07-01T00:00:00Z
                version: 2
                earn:
                  currency: EUR
                  pointsPerUnit: 1.5
                  rounding: HALF_UP
                pricing:
                  issuePrice: 0.01
                  redemptionValue: 0.008
                settlement:
                  currency: EUR
            """;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ contracts that load

    @Test
    void theDemoContractsAllLoad() throws IOException {
        Path demo = Path.of("partner-contracts");
        List<PartnerContract> contracts = PartnerDirectory.loadAll(demo);

        try (var files = Files.list(demo)) {
            assertEquals(files.filter(file -> file.toString().endsWith(".yaml")).count(), contracts.size(), "one contract per file");
        }
        assertTrue(contracts.stream().map(PartnerContract::id).toList().containsAll(List.of("freshmart", "fuelco", "greenheart")));
        PartnerDirectory directory = new PartnerDirectory(contracts);
        assertEquals("freshmart", directory.byClientId("freshmart-web").orElseThrow().id());
        assertEquals("fuelco", directory.byClientId("fuelco-pos").orElseThrow().id());
        assertEquals(PartnerKind.CHARITY, directory.byId("greenheart").orElseThrow().kind());
        assertEquals(2, directory.byId("freshmart").orElseThrow().versions().size());
        assertEquals(500, directory.byId("fuelco").orElseThrow().versions().get(0).earn().maxPointsPerTransaction());
    }

    @Test
    void aWellFormedContractLoadsWithItsValuesAndDefaults() {
        PartnerContract contract = ContractReader.read(write("acme.yaml", ACME));

        Version version = contract.versions().get(0);
        assertAll(
                () -> assertEquals("acme", contract.id()),
                () -> assertEquals("Acme Stores", contract.name()),
                () -> assertEquals(PartnerStatus.ACTIVE, contract.status(), "status defaults to ACTIVE"),
                () -> assertEquals(List.of("acme-pos"), contract.oidc().clientIds()),
                () -> assertEquals(Set.of(Permission.POINTS_EARN, Permission.MEMBERS_READ), contract.permissions()),
                () -> assertEquals(Instant.parse("2026-01-01T00:00:00Z"), version.effectiveFrom()),
                () -> assertEquals("EUR", version.earn().currency()),
                () -> assertEquals(0, BigDecimal.ONE.compareTo(version.earn().pointsPerUnit())),
                () -> assertEquals(RoundingMode.DOWN, version.earn().rounding()),
                () -> assertEquals(5000, version.earn().maxPointsPerTransaction()),
                () -> assertEquals(24, version.earn().validityMonths(), "validityMonths defaults to 24"),
                () -> assertTrue(version.redemption().allowed(), "redemption is allowed unless the contract says not"),
                () -> assertEquals(90, version.reversal().windowDays(), "reversal window defaults to 90 days"));
    }

    @Test
    void aContractMayAlsoUseTheYmlExtension() {
        assertEquals("acme", ContractReader.read(write("acme.yml", ACME)).id());
    }

    @Test
    void categoryNamesOfAContractAreMatchedRegardlessOfCase() {
        PartnerContract contract = ContractReader.read(write("acme.yaml", acme("organic: 2", "Organic: 2")));

        assertEquals(0, new BigDecimal("2").compareTo(contract.versions().get(0).earn().multiplierFor("ORGANIC")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10_000_000})
    void maxPointsPerTransactionAtTheEdgesOfItsRangeIsAccepted(int max) {
        PartnerContract contract = ContractReader.read(write("acme.yaml",
                acme("maxPointsPerTransaction: 5000", "maxPointsPerTransaction: " + max)));

        assertEquals(max, contract.versions().get(0).earn().maxPointsPerTransaction());
    }

    @Test
    void aPartnerWithItsOwnIssuerAndAudienceIsFoundByThatIssuer() {
        PartnerContract contract = ContractReader.read(write("acme.yaml", acme("  clientIds: [acme-pos]\n", """
                  clientIds: [acme-pos]
                  issuer: https://idp.acme.example
                  audience: coalition
                """)));

        assertEquals("acme", new PartnerDirectory(List.of(contract)).byIssuer("https://idp.acme.example").orElseThrow().id());
    }

    // ------------------------------------------------------------------ contracts that are rejected

    @Test
    void contractWithoutIdIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", acme("id: acme\n", "")), "id");
    }

    @Test
    void contractWhoseIdDoesNotMatchItsFileNameIsRejectedNamingFileAndField() {
        InvalidContractException rejected = assertRejected(write("acme-stores.yaml", ACME), "id");

        assertTrue(rejected.getMessage().contains("acme.yaml"), () -> "names the expected file: " + rejected.getMessage());
    }

    @Test
    void contractWithUnknownPermissionIsRejectedNamingFileAndField() {
        InvalidContractException rejected = assertRejected(
                write("acme.yaml", acme("[points:earn, members:read]", "[points:earn, points:mint]")), "permissions");

        assertTrue(rejected.getMessage().contains("points:mint"), () -> "names the unknown scope: " + rejected.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"EURO", "eur", "XYZ", "''"})
    void contractWithBadCurrencyIsRejectedNamingFileAndField(String currency) {
        assertRejected(write("acme.yaml", acme("      currency: EUR\n      pointsPerUnit", "      currency: " + currency + "\n      pointsPerUnit")),
                "versions[0].earn.currency");
    }

    @Test
    void contractWithBadSettlementCurrencyIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", acme("cycle: MONTHLY\n      currency: EUR", "cycle: MONTHLY\n      currency: Euro")),
                "versions[0].settlement.currency");
    }

    @Test
    void contractWithNegativePointsPerUnitIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", acme("pointsPerUnit: 1", "pointsPerUnit: -0.5")), "versions[0].earn.pointsPerUnit");
    }

    @Test
    void contractWithoutPointsPerUnitIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", acme("      pointsPerUnit: 1\n", "")), "versions[0].earn.pointsPerUnit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-01", "2026-13-01T00:00:00Z", "next monday", "''"})
    void contractWithBadEffectiveFromIsRejectedNamingFileAndField(String effectiveFrom) {
        assertRejected(write("acme.yaml", acme("effectiveFrom: 2026-01-01T00:00:00Z", "effectiveFrom: " + effectiveFrom)),
                "versions[0].effectiveFrom");
    }

    @Test
    void aBadFieldInALaterVersionIsReportedWithThatVersionsIndex() {
        String twoVersions = ACME + SECOND_VERSION.replace("effectiveFrom: 2026-07-01T00:00:00Z", "effectiveFrom: July");

        assertRejected(write("acme.yaml", twoVersions), "versions[1].effectiveFrom");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "10000001", "2.5", "many"})
    void contractWithMaxPointsPerTransactionOutOfRangeIsRejectedNamingFileAndField(String max) {
        InvalidContractException rejected = assertRejected(
                write("acme.yaml", acme("maxPointsPerTransaction: 5000", "maxPointsPerTransaction: " + max)),
                "versions[0].earn.maxPointsPerTransaction");

        assertTrue(rejected.getMessage().contains("1 to 10000000"), () -> "states the range: " + rejected.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"BANKERS", "half_up", "UNNECESSARY"})
    void contractWithUnknownRoundingIsRejectedNamingFileAndField(String rounding) {
        assertRejected(write("acme.yaml", acme("rounding: DOWN", "rounding: " + rounding)), "versions[0].earn.rounding");
    }

    @Test
    void contractWithoutVersionsIsRejectedNamingFileAndField() {
        String withoutVersions = ACME.substring(0, ACME.indexOf("versions:"));

        assertRejected(write("acme.yaml", withoutVersions), "versions");
    }

    @Test
    void contractWithEmptyVersionListIsRejectedNamingFileAndField() {
        String emptyVersions = ACME.substring(0, ACME.indexOf("versions:")) + "versions: []\n";

        assertRejected(write("acme.yaml", emptyVersions), "versions");
    }

    @Test
    void contractWithTwoVersionsStartingAtTheSameInstantIsRejectedNamingFileAndField() {
        String sameStart = ACME + SECOND_VERSION.replace("2026-07-01T00:00:00Z", "2026-01-01T00:00:00Z");

        assertRejected(write("acme.yaml", sameStart), "versions");
    }

    @Test
    void contractNamingAnIssuerWithoutAudienceIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", acme("  clientIds: [acme-pos]\n", """
                  clientIds: [acme-pos]
                  issuer: https://idp.acme.example
                """)), "oidc.audience");
    }

    @Test
    void contractWithoutClientIdsOrIssuerIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", acme("clientIds: [acme-pos]", "clientIds: []")), "oidc.clientIds");
    }

    @Test
    void fileThatIsNotYamlIsRejectedNamingTheFile() {
        InvalidContractException rejected = assertThrows(InvalidContractException.class,
                () -> ContractReader.read(write("acme.yaml", "id: [acme\nname: {{ unclosed ::\n\t- ]")));

        assertTrue(rejected.getMessage().startsWith("acme.yaml: not readable YAML"), rejected::getMessage);
    }

    @Test
    void yamlThatIsNotAMappingOfFieldsIsRejectedNamingFileAndRoot() {
        assertRejected(write("acme.yaml", "just a sentence, not a contract\n"), "(root)");
    }

    @Test
    void twoContractsClaimingTheSameClientIdAreRejectedNamingBothPartners() {
        PartnerContract alpha = ContractReader.read(write("alpha.yaml", partner("alpha", "clientIds: [shared-pos, alpha-web]")));
        PartnerContract beta = ContractReader.read(write("beta.yaml", partner("beta", "clientIds: [beta-web, shared-pos]")));

        InvalidContractException rejected = assertThrows(InvalidContractException.class,
                () -> new PartnerDirectory(List.of(alpha, beta)));

        String message = rejected.getMessage();
        assertTrue(message.startsWith("beta.yaml: oidc.clientIds "), message);
        assertTrue(message.contains("'shared-pos'"), message);
        assertTrue(message.contains("partner alpha"), message);
    }

    @Test
    void twoContractsNamingTheSameIssuerAreRejectedNamingBothPartners() {
        String ownIssuer = "clientIds: [%s-pos]\n  issuer: https://idp.shared.example\n  audience: coalition";
        PartnerContract alpha = ContractReader.read(write("alpha.yaml", partner("alpha", ownIssuer.formatted("alpha"))));
        PartnerContract beta = ContractReader.read(write("beta.yaml", partner("beta", ownIssuer.formatted("beta"))));

        InvalidContractException rejected = assertThrows(InvalidContractException.class,
                () -> new PartnerDirectory(List.of(alpha, beta)));

        assertTrue(rejected.getMessage().startsWith("beta.yaml: oidc.issuer "), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("partner alpha"), rejected.getMessage());
    }

    @Test
    void loadingADirectoryStopsAtTheFirstBrokenContractNamingItsFile() {
        write("alpha.yaml", partner("alpha", "clientIds: [alpha-pos]"));
        write("beta.yaml", partner("beta", "clientIds: [beta-pos]").replace("rounding: DOWN", "rounding: SOMETIMES"));
        write("README.md", "not a contract: {{");

        InvalidContractException rejected = assertThrows(InvalidContractException.class, () -> PartnerDirectory.loadAll(dir));

        assertTrue(rejected.getMessage().startsWith("beta.yaml: versions[0].earn.rounding "), rejected.getMessage());
    }

    @Test
    void loadingADirectoryReadsOnlyYamlFiles() {
        write("alpha.yaml", partner("alpha", "clientIds: [alpha-pos]"));
        write("beta.yml", partner("beta", "clientIds: [beta-pos]"));
        write("README.md", "not a contract: {{");
        write("gamma.yaml.bak", "not a contract: {{");

        assertEquals(List.of("alpha", "beta"), PartnerDirectory.loadAll(dir).stream().map(PartnerContract::id).toList());
    }

    // ------------------------------------------------------------------ the version in force

    @Test
    void versionAtPicksTheVersionInForceAtTheInstant() {
        PartnerContract contract = ContractReader.read(write("acme.yaml", ACME + SECOND_VERSION));

        assertAll(
                () -> assertEquals(1, numberAt(contract, "2026-01-01T00:00:00Z"), "the first version from its first instant"),
                () -> assertEquals(1, numberAt(contract, "2026-03-14T10:15:30Z")),
                () -> assertEquals(1, numberAt(contract, "2026-06-30T23:59:59.999999Z"), "until just before the next"),
                () -> assertEquals(2, numberAt(contract, "2026-07-01T00:00:00Z"), "the next version from its first instant"),
                () -> assertEquals(2, numberAt(contract, "2030-01-01T00:00:00Z"), "the last version stays in force"));
    }

    @Test
    void versionAtPicksByDateEvenWhenTheFileListsVersionsOutOfOrder() {
        String outOfOrder = ACME.substring(0, ACME.indexOf("  - effectiveFrom")) + SECOND_VERSION
                + ACME.substring(ACME.indexOf("  - effectiveFrom"));
        PartnerContract contract = ContractReader.read(write("acme.yaml", outOfOrder));

        assertEquals(RoundingMode.DOWN, contract.versionAt(Instant.parse("2026-03-01T00:00:00Z")).orElseThrow().earn().rounding());
        assertEquals(RoundingMode.HALF_UP, contract.versionAt(Instant.parse("2026-08-01T00:00:00Z")).orElseThrow().earn().rounding());
    }

    @Test
    void versionAtIsEmptyBeforeTheFirstVersionTookEffect() {
        PartnerContract contract = ContractReader.read(write("acme.yaml", ACME + SECOND_VERSION));

        assertTrue(contract.versionAt(Instant.parse("2025-12-31T23:59:59.999Z")).isEmpty());
        assertTrue(contract.versionAt(Instant.parse("2020-01-01T00:00:00Z")).isEmpty());
    }

    // ------------------------------------------------------------------ helpers

    private static int numberAt(PartnerContract contract, String instant) {
        return contract.versionAt(Instant.parse(instant)).orElseThrow().number();
    }

    /** The ACME contract with one piece of text replaced; fails if that text is not in it, so no test checks an unchanged file. */
    private static String acme(String original, String replacement) {
        int at = ACME.indexOf(original);
        assertTrue(at >= 0 && ACME.indexOf(original, at + 1) < 0, () -> "the base contract holds '" + original + "' exactly once");
        return ACME.replace(original, replacement);
    }

    /** A valid contract of another partner with the given oidc line. */
    private static String partner(String id, String oidcLine) {
        return acme("id: acme\n", "id: " + id + "\n").replace("clientIds: [acme-pos]", oidcLine);
    }

    private Path write(String fileName, String yaml) {
        Path file = dir.resolve(fileName);
        try {
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reading the file fails with a message that starts with the file name and then the field at fault. */
    private static InvalidContractException assertRejected(Path file, String field) {
        InvalidContractException rejected = assertThrows(InvalidContractException.class, () -> ContractReader.read(file));
        String expectedStart = file.getFileName() + ": " + field + " ";
        assertTrue(rejected.getMessage().startsWith(expectedStart),
                () -> "expected the message to start with '" + expectedStart + "' but it was: " + rejected.getMessage());
        return rejected;
    }

    // ------------------------------------------------------------------ review-safety rules

    @Test
    void contractVersionWithoutANumberIsRejectedNamingFileAndField() {
        assertRejected(write("acme.yaml", ACME.replace("    version: 1\n", "")), "versions[0].version");
    }

    @Test
    void versionNumbersThatDoNotRiseWithEffectiveFromAreRejected() {
        String backwards = ACME + SECOND_VERSION.replace("version: 2", "version: 1");
        assertRejected(write("acme.yaml", backwards), "versions");
    }

    @Test
    void aKeyWrittenTwiceIsRejectedInsteadOfTheLastOneWinning() {
        String twice = ACME.replace("pointsPerUnit: 1\n", "pointsPerUnit: 1\n      pointsPerUnit: 100\n");
        InvalidContractException rejected = assertThrows(InvalidContractException.class,
                () -> ContractReader.read(write("acme.yaml", twice)));
        assertTrue(rejected.getMessage().startsWith("acme.yaml: "), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("pointsPerUnit"), rejected.getMessage());
    }

    @Test
    void redemptionAllowedMustBeABoolean() {
        assertRejected(write("acme.yaml", ACME.replace("      minimumPoints: 1", "      allowed: nope\n      minimumPoints: 1")),
                "versions[0].redemption.allowed");
    }

    @Test
    void clientIdsGivenAsAPlainStringAreRejected() {
        assertRejected(write("acme.yaml", ACME.replace("clientIds: [acme-pos]", "clientIds: acme-pos")), "oidc.clientIds");
    }

    @Test
    void categoriesDifferingOnlyByCaseAreRejected() {
        assertRejected(write("acme.yaml", ACME.replace("        organic: 2", "        organic: 2\n        Organic: 3")),
                "versions[0].earn.categoryMultipliers.Organic");
    }

}
