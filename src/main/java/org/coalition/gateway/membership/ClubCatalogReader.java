package org.coalition.gateway.membership;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads the paid clubs and refuses a broken file with a message naming the file and the field, the way partner
 * contracts and the tier program are refused: a club that charges the wrong fee must not start.
 */
public final class ClubCatalogReader {

    static final Pattern CLUB_ID = Pattern.compile("[A-Z][A-Z0-9_]{0,31}");
    static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    static final BigDecimal MAX_FEE = new BigDecimal("100000");
    static final BigDecimal MAX_MULTIPLIER = new BigDecimal("5");
    static final int MAX_COOLING_OFF_DAYS = 90;
    static final int MAX_CLUBS = 100;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

    private final String file;

    private ClubCatalogReader(String file) {
        this.file = file;
    }

    /** The clubs by id, in file order. */
    public static Map<String, Club> read(Path path) {
        ClubCatalogReader reader = new ClubCatalogReader(path.toString());
        try {
            return reader.catalog(YAML.readTree(path.toFile()));
        } catch (IOException e) {
            throw new IllegalStateException(path + ": cannot be read as YAML: " + e.getMessage(), e);
        }
    }

    private Map<String, Club> catalog(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw invalid("", "the file must be a mapping");
        }
        JsonNode clubs = root.path("clubs");
        if (!clubs.isArray() || clubs.size() > MAX_CLUBS) {
            throw invalid("clubs", "must be a list of at most " + MAX_CLUBS + " clubs");
        }
        Map<String, Club> read = new java.util.LinkedHashMap<>();
        for (int i = 0; i < clubs.size(); i++) {
            Club club = club(clubs.get(i), "clubs[" + i + "]");
            if (read.putIfAbsent(club.id(), club) != null) {
                throw invalid("clubs[" + i + "].id", "'" + club.id() + "' appears twice");
            }
        }
        return java.util.Collections.unmodifiableMap(read);
    }

    private Club club(JsonNode node, String path) {
        String id = text(node, path, "id");
        if (!CLUB_ID.matcher(id).matches()) {
            throw invalid(path + ".id", "'" + id + "' must be upper case letters, digits and _, e.g. PLUS");
        }
        String name = text(node, path, "name");
        BigDecimal fee = decimal(node, path, "fee.amount");
        if (fee.signum() <= 0 || fee.compareTo(MAX_FEE) > 0 || fee.stripTrailingZeros().scale() > 2) {
            throw invalid(path + ".fee.amount", "must be more than 0 and at most " + MAX_FEE + ", with at most 2 decimals");
        }
        String currency = text(node, path, "fee.currency");
        if (!CURRENCY.matcher(currency).matches()) {
            throw invalid(path + ".fee.currency", "'" + currency + "' is not an ISO 4217 code such as EUR");
        }
        Period term = term(text(node, path, "term"), path + ".term");
        BigDecimal multiplier = decimal(node, path, "benefits.earnMultiplier");
        if (multiplier.compareTo(BigDecimal.ONE) < 0 || multiplier.compareTo(MAX_MULTIPLIER) > 0
                || multiplier.stripTrailingZeros().scale() > 2) {
            throw invalid(path + ".benefits.earnMultiplier", "must be between 1 and 5 with at most 2 decimals");
        }
        if (node.path("benefits").has("welcomePoints")) {
            throw invalid(path + ".benefits.welcomePoints", "is not supported yet: give earnMultiplier only");
        }
        List<String> soldBy = sellers(node.path("soldBy"), path + ".soldBy");
        BigDecimal commission = decimal(node, path, "commissionShare");
        if (commission.signum() < 0 || commission.compareTo(BigDecimal.ONE) >= 0) {
            throw invalid(path + ".commissionShare", "must be at least 0 and less than 1, e.g. 0.10");
        }
        String coolingOff = text(node, path, "cancellation.coolingOffDays");
        int days;
        try {
            days = Integer.parseInt(coolingOff);
        } catch (NumberFormatException e) {
            throw invalid(path + ".cancellation.coolingOffDays", "must be a whole number");
        }
        if (days < 0 || days > MAX_COOLING_OFF_DAYS) {
            throw invalid(path + ".cancellation.coolingOffDays", "must be between 0 and " + MAX_COOLING_OFF_DAYS);
        }
        return new Club(id, name, fee, currency, term, multiplier, soldBy, commission, days);
    }

    private Period term(String text, String path) {
        try {
            Period term = Period.parse(text);
            if (term.isNegative() || term.isZero() || term.getDays() != 0 || term.toTotalMonths() > 60) {
                throw invalid(path, "'" + text + "' must be whole months or years, at most 5 years, e.g. P1Y or P1M");
            }
            return term;
        } catch (DateTimeException e) {
            throw invalid(path, "'" + text + "' is not an ISO-8601 period such as P1Y or P1M");
        }
    }

    private List<String> sellers(JsonNode list, String path) {
        if (!list.isArray() || list.isEmpty()) {
            throw invalid(path, "must list at least one partner id");
        }
        List<String> sellers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String partner = list.get(i).asText();
            if (!list.get(i).isTextual() || partner.isBlank() || !seen.add(partner)) {
                throw invalid(path + "[" + i + "]", "must be a partner id, each once");
            }
            sellers.add(partner);
        }
        return List.copyOf(sellers);
    }

    private BigDecimal decimal(JsonNode node, String path, String dottedField) {
        try {
            return new BigDecimal(text(node, path, dottedField));
        } catch (NumberFormatException e) {
            throw invalid(path + "." + dottedField, "not a number");
        }
    }

    private String text(JsonNode node, String path, String dottedField) {
        JsonNode value = node;
        for (String part : dottedField.split("\\.")) {
            value = value.path(part);
        }
        if (!value.isValueNode() || value.asText().isBlank()) {
            throw invalid(path + "." + dottedField, "is missing");
        }
        return value.asText();
    }

    private IllegalStateException invalid(String field, String problem) {
        return new IllegalStateException(file + ": " + (field.isEmpty() ? "" : field + " ") + problem);
    }
}
