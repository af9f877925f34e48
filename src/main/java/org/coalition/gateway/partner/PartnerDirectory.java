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

import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;

/**
 * All partner contracts, validated, from {@code coalition.contracts.dir}. Lookups by id, OIDC client id
 * and issuer are in memory: nothing on the hot path asks the database who a partner is.
 *
 * <p>At start-up a broken contract stops the gateway. Later reloads (a suspended partner, a new rate)
 * swap in the whole new set at once, or keep the running set and log why when any file is broken.
 */
@ApplicationScoped
public class PartnerDirectory {

    private final Path directory;
    private volatile Snapshot current;
    private volatile Optional<String> lastReloadProblem = Optional.empty();

    @Inject
    public PartnerDirectory(CoalitionConfig config) {
        this.directory = Path.of(config.contracts().dir());
        this.current = new Snapshot(loadAll(directory));
    }

    PartnerDirectory(List<PartnerContract> contracts) {
        this.directory = null;
        this.current = new Snapshot(contracts);
    }

    /** Reads the directory again; returns whether the contracts in force changed. */
    public synchronized boolean reload() {
        try {
            Snapshot reloaded = new Snapshot(loadAll(directory));
            boolean changed = !reloaded.byId.equals(current.byId);
            if (changed) {
                // an unchanged set keeps its instances: what is kept per contract version (EarnService's shared
                // request fields) stays valid from one reload to the next
                current = reloaded;
            }
            lastReloadProblem = Optional.empty();
            return changed;
        } catch (InvalidContractException | UncheckedIOException e) {
            Log.errorf("Partner contracts not reloaded, the ones in force stay: %s", e.getMessage());
            lastReloadProblem = Optional.of(e.getMessage());
            return false;
        }
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
        Log.debugf("Read %d partner contracts from %s", contracts.size(), directory.toAbsolutePath());
        return contracts;
    }

    private static boolean isContractFile(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    public Optional<PartnerContract> byId(String partnerId) {
        return Optional.ofNullable(current.byId.get(partnerId));
    }

    /** The contract of a partner allowed to write now: every write of a suspended partner stops here. */
    public PartnerContract requireActive(String partnerId) {
        PartnerContract contract = byId(partnerId).orElseThrow(() -> BusinessFailure.of(ErrorCode.PARTNER_NOT_FOUND,
                "The calling partner has no contract"));
        if (!contract.active()) {
            throw BusinessFailure.of(ErrorCode.CONTRACT_INACTIVE, "The partner's contract is suspended");
        }
        return contract;
    }

    public Optional<PartnerContract> byClientId(String clientId) {
        return Optional.ofNullable(current.byClientId.get(clientId));
    }

    public Optional<PartnerContract> byIssuer(String issuer) {
        return Optional.ofNullable(current.byIssuer.get(issuer));
    }

    /** Why the last reload kept the contracts in force, if it did. */
    public Optional<String> lastReloadProblem() {
        return lastReloadProblem;
    }

    public Collection<PartnerContract> all() {
        return current.byId.values();
    }

    /** One consistent set of contracts with its indexes; never modified once built. */
    private static final class Snapshot {
        private final Map<String, PartnerContract> byId = new LinkedHashMap<>();
        private final Map<String, PartnerContract> byClientId = new HashMap<>();
        private final Map<String, PartnerContract> byIssuer = new HashMap<>();

        Snapshot(List<PartnerContract> contracts) {
            contracts.forEach(this::register);
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
    }
}
