package org.coalition.gateway.partner;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.coalition.gateway.partner.PartnerContract.EarnRules;
import org.coalition.gateway.partner.PartnerContract.OidcBinding;
import org.coalition.gateway.partner.PartnerContract.Pricing;
import org.coalition.gateway.partner.PartnerContract.RedemptionRules;
import org.coalition.gateway.partner.PartnerContract.ReversalRules;
import org.coalition.gateway.partner.PartnerContract.SettlementTerms;
import org.coalition.gateway.partner.PartnerContract.Version;
import org.coalition.gateway.partner.PartnerContract.Webhook;
import org.coalition.gateway.tenancy.Permission;

/**
 * Reads one partner contract YAML file and validates every field, so that a broken contract stops the
 * start with a message naming the file and the field instead of failing later at a till.
 */
public final class ContractReader {

    public static final Pattern PARTNER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,39}");
    static final int MAX_POINTS_PER_TRANSACTION_LIMIT = 10_000_000;
    static final int MAX_VALIDITY_MONTHS = 120;
    // Settlement amounts (settlement.SettlementRecorder) are kept to four decimals.
    static final int MAX_PRICE_DECIMALS = 4;

    /** Duplicate keys are an error: a reviewer reading the first of two rates must not be shown the wrong one. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

    private final String file;

    private ContractReader(String file) {
        this.file = file;
    }

    public static PartnerContract read(Path path) {
        ContractReader reader = new ContractReader(path.getFileName().toString());
        JsonNode root;
        try {
            root = YAML.readTree(path.toFile());
        } catch (IOException e) {
            String problem = e instanceof com.fasterxml.jackson.core.JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            throw new InvalidContractException(reader.file + ": not readable YAML: " + problem);
        }
        if (root == null || !root.isObject()) {
            throw reader.invalid("(root)", "must be a mapping of contract fields");
        }
        PartnerContract contract = reader.contract(root);
        String expectedName = contract.id() + ".yaml";
        if (!reader.file.equals(expectedName) && !reader.file.equals(contract.id() + ".yml")) {
            throw reader.invalid("id", "must match the file name (expected file " + expectedName + ")");
        }
        return contract;
    }

    private PartnerContract contract(JsonNode root) {
        String id = requiredText(root, "id");
        if (!PARTNER_ID.matcher(id).matches()) {
            throw invalid("id", "must be 2-40 lowercase letters, digits or '-'");
        }
        List<Version> versions = versions(root.path("versions"));
        return new PartnerContract(
                id,
                requiredText(root, "name"),
                enumValue(root, "kind", PartnerKind.class, null),
                enumValue(root, "status", PartnerStatus.class, PartnerStatus.ACTIVE),
                oidc(root.path("oidc")),
                permissions(root.path("permissions")),
                versions,
                webhook(root.path("webhook")));
    }

    private OidcBinding oidc(JsonNode node) {
        if (!node.isObject()) {
            throw invalid("oidc", "is required and must hold clientIds");
        }
        JsonNode ids = node.path("clientIds");
        if (!ids.isMissingNode() && !ids.isArray()) {
            throw invalid("oidc.clientIds", "must be a list of client ids");
        }
        List<String> clientIds = new ArrayList<>();
        ids.forEach(id -> clientIds.add(id.asText()));
        if (clientIds.stream().distinct().count() != clientIds.size()) {
            throw invalid("oidc.clientIds", "lists a client id twice");
        }
        Optional<String> issuer = optionalText(node, "issuer", "oidc.issuer");
        if (clientIds.isEmpty() && issuer.isEmpty()) {
            throw invalid("oidc.clientIds", "must list at least one client id (or name an issuer)");
        }
        if (clientIds.stream().anyMatch(String::isBlank)) {
            throw invalid("oidc.clientIds", "must not contain blank client ids");
        }
        Optional<String> audience = optionalText(node, "audience", "oidc.audience");
        if (issuer.isPresent() && audience.isEmpty()) {
            throw invalid("oidc.audience", "is required when the partner brings its own issuer");
        }
        Optional<String> publicKey = optionalText(node, "publicKey", "oidc.publicKey");
        if (publicKey.isPresent() && issuer.isEmpty()) {
            throw invalid("oidc.publicKey", "belongs to a partner's own issuer: name oidc.issuer too");
        }
        return new OidcBinding(List.copyOf(clientIds), issuer, audience, publicKey);
    }

    private Set<Permission> permissions(JsonNode node) {
        if (!node.isArray()) {
            throw invalid("permissions", "must be a list of scopes such as points:earn");
        }
        Set<Permission> permissions = EnumSet.noneOf(Permission.class);
        for (int i = 0; i < node.size(); i++) {
            String scope = node.get(i).asText();
            permissions.add(Permission.fromScope(scope)
                    .orElseThrow(() -> invalid("permissions", "unknown permission '" + scope + "'")));
        }
        return permissions;
    }

    private List<Version> versions(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw invalid("versions", "must list at least one contract version");
        }
        List<Version> versions = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "versions[" + i + "]";
            versions.add(version(node.get(i), at, integer(node.get(i), "version", at, -1, 1, 10_000)));
            if (versions.get(i).number() < 0) {
                throw invalid(at + ".version", "is required: transactions record the version number they were priced under");
            }
        }
        long distinctStarts = versions.stream().map(Version::effectiveFrom).distinct().count();
        if (distinctStarts != versions.size()) {
            throw invalid("versions", "two versions take effect at the same instant");
        }
        List<Version> chronological = versions.stream().sorted(java.util.Comparator.comparing(Version::effectiveFrom)).toList();
        for (int i = 1; i < chronological.size(); i++) {
            if (chronological.get(i).number() <= chronological.get(i - 1).number()) {
                throw invalid("versions", "version numbers must rise with effectiveFrom (version "
                        + chronological.get(i).number() + " takes effect after version " + chronological.get(i - 1).number() + ")");
            }
        }
        return versions;
    }

    private Version version(JsonNode node, String at, int number) {
        return new Version(
                number,
                instant(node, "effectiveFrom", at),
                earn(node.path("earn"), at + ".earn"),
                redemption(node.path("redemption"), at + ".redemption"),
                pricing(node.path("pricing"), at + ".pricing"),
                settlement(node.path("settlement"), at + ".settlement"),
                new ReversalRules(integer(node.path("reversal"), "windowDays", at + ".reversal", 90, 0, 3650)));
    }

    private EarnRules earn(JsonNode node, String at) {
        Map<String, BigDecimal> multipliers = new LinkedHashMap<>();
        JsonNode categories = node.path("categoryMultipliers");
        if (!categories.isMissingNode() && !categories.isObject()) {
            throw invalid(at + ".categoryMultipliers", "must map category names to multipliers");
        }
        categories.fields().forEachRemaining(entry -> {
            BigDecimal multiplier = positiveDecimal(entry.getValue(), at + ".categoryMultipliers." + entry.getKey());
            if (multipliers.put(entry.getKey().toLowerCase(Locale.ROOT), multiplier) != null) {
                throw invalid(at + ".categoryMultipliers." + entry.getKey(), "differs from another category only by case");
            }
        });
        return new EarnRules(
                currency(node, at + ".currency"),
                nonNegativeDecimal(node.path("pointsPerUnit"), at + ".pointsPerUnit"),
                rounding(node, at + ".rounding"),
                Map.copyOf(multipliers),
                integer(node, "maxPointsPerTransaction", at, 100_000, 1, MAX_POINTS_PER_TRANSACTION_LIMIT),
                integer(node, "validityMonths", at, 24, 1, MAX_VALIDITY_MONTHS));
    }

    private RedemptionRules redemption(JsonNode node, String at) {
        JsonNode allowedNode = node.path("allowed");
        if (!allowedNode.isMissingNode() && !allowedNode.isBoolean()) {
            throw invalid(at + ".allowed", "must be true or false");
        }
        boolean allowed = allowedNode.isMissingNode() || allowedNode.asBoolean();
        return new RedemptionRules(allowed, integer(node, "minimumPoints", at, 1, 1, MAX_POINTS_PER_TRANSACTION_LIMIT));
    }

    private Pricing pricing(JsonNode node, String at) {
        return new Pricing(
                pricePerPoint(node.path("issuePrice"), at + ".issuePrice"),
                pricePerPoint(node.path("redemptionValue"), at + ".redemptionValue"));
    }

    /**
     * Settlement amounts are kept to four decimals, so a price per point has at most four: then every
     * amount (points x price) is exact, wherever it is computed, and a reversal cancels its original to
     * the last digit.
     */
    private BigDecimal pricePerPoint(JsonNode node, String at) {
        BigDecimal price = nonNegativeDecimal(node, at);
        if (price.stripTrailingZeros().scale() > MAX_PRICE_DECIMALS) {
            throw invalid(at, "has at most " + MAX_PRICE_DECIMALS + " decimals");
        }
        return price;
    }

    private SettlementTerms settlement(JsonNode node, String at) {
        String cycle = node.path("cycle").asText("MONTHLY");
        if (!cycle.equals("MONTHLY") && !cycle.equals("WEEKLY")) {
            throw invalid(at + ".cycle", "must be MONTHLY or WEEKLY");
        }
        return new SettlementTerms(cycle, currency(node, at + ".currency"));
    }

    private Optional<Webhook> webhook(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        String url = requiredText(node, "url", "webhook.url");
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw invalid("webhook.url", "must be an http(s) URL");
        }
        return Optional.of(new Webhook(url, requiredText(node, "secretRef", "webhook.secretRef")));
    }

    private String currency(JsonNode parent, String at) {
        String code = parent.path("currency").asText("");
        try {
            return Currency.getInstance(code).getCurrencyCode();
        } catch (IllegalArgumentException e) {
            throw invalid(at, "must be an ISO 4217 currency code, got '" + code + "'");
        }
    }

    private RoundingMode rounding(JsonNode parent, String at) {
        String mode = parent.path("rounding").asText("DOWN");
        try {
            RoundingMode rounding = RoundingMode.valueOf(mode);
            if (rounding == RoundingMode.UNNECESSARY) {
                throw new IllegalArgumentException();
            }
            return rounding;
        } catch (IllegalArgumentException e) {
            throw invalid(at, "must be one of DOWN, UP, HALF_UP, HALF_DOWN, HALF_EVEN, FLOOR, CEILING");
        }
    }

    private Instant instant(JsonNode parent, String name, String at) {
        String text = parent.path(name).asText("");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid(at + "." + name, "must be an ISO-8601 UTC instant such as 2026-01-01T00:00:00Z");
        }
    }

    private BigDecimal positiveDecimal(JsonNode node, String at) {
        BigDecimal value = decimal(node, at);
        if (value.signum() <= 0) {
            throw invalid(at, "must be greater than zero");
        }
        return value;
    }

    private BigDecimal nonNegativeDecimal(JsonNode node, String at) {
        BigDecimal value = decimal(node, at);
        if (value.signum() < 0) {
            throw invalid(at, "must not be negative");
        }
        return value;
    }

    private BigDecimal decimal(JsonNode node, String at) {
        if (node.isMissingNode() || node.isNull()) {
            throw invalid(at, "is required");
        }
        try {
            return new BigDecimal(node.asText());
        } catch (NumberFormatException e) {
            throw invalid(at, "must be a decimal number, got '" + node.asText() + "'");
        }
    }

    private int integer(JsonNode parent, String name, String at, int defaultValue, int min, int max) {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return defaultValue;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < min || node.asInt() > max) {
            throw invalid(at + "." + name, "must be a whole number from " + min + " to " + max);
        }
        return node.asInt();
    }

    private <E extends Enum<E>> E enumValue(JsonNode parent, String name, Class<E> type, E defaultValue) {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() && defaultValue != null) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(type, node.asText(""));
        } catch (IllegalArgumentException e) {
            throw invalid(name, "must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private String requiredText(JsonNode parent, String name) {
        return requiredText(parent, name, name);
    }

    private String requiredText(JsonNode parent, String name, String at) {
        String text = parent.path(name).asText("").strip();
        if (text.isEmpty()) {
            throw invalid(at, "is required");
        }
        return text;
    }

    private Optional<String> optionalText(JsonNode parent, String name, String at) {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        return Optional.of(requiredText(parent, name, at));
    }

    private InvalidContractException invalid(String field, String problem) {
        return new InvalidContractException(file + ": " + field + " " + problem);
    }
}
