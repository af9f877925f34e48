package org.coalition.gateway.partner;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.coalition.gateway.tenancy.Permission;

/**
 * A partner's contract with the coalition, as reviewed in git under partner-contracts/. Versions are
 * sorted by effectiveFrom; a transaction uses the version in force when it occurred.
 */
public record PartnerContract(
        String id,
        String name,
        PartnerKind kind,
        PartnerStatus status,
        OidcBinding oidc,
        Set<Permission> permissions,
        List<Version> versions,
        Optional<Webhook> webhook) {

    public PartnerContract {
        versions = versions.stream().sorted(Comparator.comparing(Version::effectiveFrom)).toList();
    }

    public boolean active() {
        return status == PartnerStatus.ACTIVE;
    }

    /** The version in force at the given instant, empty before the first version took effect. */
    public Optional<Version> versionAt(Instant when) {
        Version inForce = null;
        for (Version version : versions) {
            if (!version.effectiveFrom().isAfter(when)) {
                inForce = version;
            }
        }
        return Optional.ofNullable(inForce);
    }

    /**
     * How a partner's tokens are recognised: by client id at the coalition's IdP, or by the partner's own
     * issuer (verified through its discovery document, or with {@code publicKey} where it has none).
     */
    /**
     * The version in force at the given instant, or the first version before it took effect: for what a
     * contract says of itself (name, currency, prices), where "not yet in force" is no error.
     */
    public Version versionAtOrFirst(Instant when) {
        return versionAt(when).orElse(versions.get(0));
    }

    public record OidcBinding(List<String> clientIds, Optional<String> issuer, Optional<String> audience,
            Optional<String> publicKey) {
    }

    public record Version(
            int number,
            Instant effectiveFrom,
            EarnRules earn,
            RedemptionRules redemption,
            Pricing pricing,
            SettlementTerms settlement,
            ReversalRules reversal) {
    }

    public record EarnRules(
            String currency,
            BigDecimal pointsPerUnit,
            RoundingMode rounding,
            Map<String, BigDecimal> categoryMultipliers,
            int maxPointsPerTransaction,
            int validityMonths) {

        public BigDecimal multiplierFor(String category) {
            if (category == null) {
                return BigDecimal.ONE;
            }
            return categoryMultipliers.getOrDefault(category.toLowerCase(java.util.Locale.ROOT), BigDecimal.ONE);
        }
    }

    public record RedemptionRules(boolean allowed, int minimumPoints) {
    }

    /** Prices per point in the settlement currency. */
    public record Pricing(BigDecimal issuePrice, BigDecimal redemptionValue) {
    }

    public record SettlementTerms(String cycle, String currency) {
    }

    public record ReversalRules(int windowDays) {
    }

    public record Webhook(String url, String secretRef) {
    }
}
