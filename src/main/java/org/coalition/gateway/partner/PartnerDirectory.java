package org.coalition.gateway.partner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.logging.Log;

import org.coalition.gateway.shared.CoalitionConfig;

/**
 * All partner contracts, loaded and validated once at start-up from {@code coalition.contracts.dir}.
 * Lookups by id, OIDC client id and issuer are in memory: nothing on the hot path asks the database
 * who a partner is.
 */
@ApplicationScoped
public class PartnerDirectory {

    private final Map<String, PartnerContract> byId;
    private final Map<String, PartnerContract> byClientId;
    private final Map<String, PartnerContract> byIssuer;

    @Inject
    public PartnerDirectory(CoalitionConfig config) {
        this(loadAll(Path.of(config.contracts().dir())));
    }

    PartnerDirectory(List<PartnerContract> contracts) {
        this.byId = new LinkedHashMap<>();
        this.byClientId = new HashMap<>();
        this.byIssuer = new HashMap<>();
        contracts.forEach(this::register);
    }

    public static List<PartnerContract> loadAll(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidContractException("partner contract directory " + directory.toAbsolutePath()
                    + " does not exist (set coalition.contracts.dir)");
        }
        List<PartnerContract> contracts = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(PartnerDirectory::isContractFile).sorted().forEach(file -> contracts.add(ContractReader.read(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        Log.infof("Loaded %d partner contracts from %s", contracts.size(), directory.toAbsolutePath());
        return contracts;
    }

    private static boolean isContractFile(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    private void register(PartnerContract contract) {
        if (byId.putIfAbsent(contract.id(), contract) != null) {
            throw new InvalidContractException("partner id " + contract.id() + " is used by two contract files");
        }
        for (String clientId : contract.oidc().clientIds()) {
            PartnerContract other = byClientId.putIfAbsent(clientId, contract);
            if (other != null) {
                throw new InvalidContractException(contract.id() + ".yaml: oidc.clientIds '" + clientId
                        + "' is already the client of partner " + other.id());
            }
        }
        contract.oidc().issuer().ifPresent(issuer -> {
            PartnerContract other = byIssuer.putIfAbsent(issuer, contract);
            if (other != null) {
                throw new InvalidContractException(contract.id() + ".yaml: oidc.issuer '" + issuer
                        + "' is already the issuer of partner " + other.id());
            }
        });
    }

    public Optional<PartnerContract> byId(String partnerId) {
        return Optional.ofNullable(byId.get(partnerId));
    }

    public Optional<PartnerContract> byClientId(String clientId) {
        return Optional.ofNullable(byClientId.get(clientId));
    }

    public Optional<PartnerContract> byIssuer(String issuer) {
        return Optional.ofNullable(byIssuer.get(issuer));
    }

    public Collection<PartnerContract> all() {
        return byId.values();
    }
}
