package org.coalition.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A writable copy of partner-contracts/ for the test run, plus two test-only partners: SkyWays, which
 * brings its own IdP (its own issuer and signing key, generated here), and PauseMart, whose contract
 * tests suspend and restore while the gateway runs.
 */
public class TestContractsResource implements QuarkusTestResourceLifecycleManager {

    public static final String SKYWAYS_ISSUER = "https://login.skyways.example";
    public static final String SKYWAYS_AUDIENCE = "coalition-gateway";

    private static Path directory;
    private static KeyPair skywaysKeys;

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createDirectories(Path.of("target", "test-partner-contracts-" + UUID.randomUUID()));
            try (Stream<Path> demo = Files.list(Path.of("partner-contracts"))) {
                for (Path contract : demo.filter(file -> file.toString().endsWith(".yaml")).toList()) {
                    Files.copy(contract, directory.resolve(contract.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            skywaysKeys = rsaKeys();
            Files.writeString(directory.resolve("skyways.yaml"), skyways());
            writePauseMart("ACTIVE");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the copy is of the contracts only; the tier program and the clubs are read where they are
        return Map.of("coalition.contracts.dir", directory.toString(),
                "coalition.contracts.reload-interval", "1h",
                "coalition.tiers.file", Path.of("partner-contracts", "coalition", "tiers.yaml").toString(),
                "coalition.clubs.file", Path.of("partner-contracts", "coalition", "clubs.yaml").toString());
    }

    public static PrivateKey skywaysSigningKey() {
        return skywaysKeys.getPrivate();
    }

    /** Rewrites PauseMart's contract with the given status; the gateway sees it at its next reload. */
    public static void writePauseMart(String status) {
        try {
            String fuelco = Files.readString(Path.of("partner-contracts", "fuelco.yaml"));
            Files.writeString(directory.resolve("pausemart.yaml"), fuelco
                    .replace("id: fuelco", "id: pausemart")
                    .replace("name: FuelCo Stations", "name: PauseMart")
                    .replace("clientIds: [fuelco-pos]", "clientIds: [pausemart-pos]")
                    .replace("status: ACTIVE", "status: " + status));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String skyways() throws IOException {
        String fuelco = Files.readString(Path.of("partner-contracts", "fuelco.yaml"));
        String publicKey = Base64.getEncoder().encodeToString(skywaysKeys.getPublic().getEncoded());
        return fuelco
                .replace("id: fuelco", "id: skyways")
                .replace("name: FuelCo Stations", "name: SkyWays Airline")
                .replace("  clientIds: [fuelco-pos]", "  clientIds: []\n  issuer: " + SKYWAYS_ISSUER
                        + "\n  audience: " + SKYWAYS_AUDIENCE + "\n  publicKey: " + publicKey);
    }

    private static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        // The copy stays under target/ for inspection after a failed run.
    }
}
