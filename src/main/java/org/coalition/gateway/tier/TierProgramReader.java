package org.coalition.gateway.tier;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.coalition.gateway.tier.TierProgram.Funder;
import org.coalition.gateway.tier.TierProgram.Measure;
import org.coalition.gateway.tier.TierProgram.Tier;

/**
 * Reads the tier program and refuses a broken one with a message naming the file and the field, the way
 * partner contracts are refused: a program that pays the wrong multiplier must not start.
 */
public final class TierProgramReader {

    static final Pattern TIER_ID = Pattern.compile("[A-Z][A-Z0-9_]{0,31}");
    static final BigDecimal MAX_MULTIPLIER = new BigDecimal("5");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

    private final String file;

    private TierProgramReader(String file) {
        this.file = file;
    }

    public static TierProgram read(Path path) {
        TierProgramReader reader = new TierProgramReader(path.toString());
        try {
            return reader.program(YAML.readTree(path.toFile()));
        } catch (IOException e) {
            throw new IllegalStateException(path + ": cannot be read as YAML: " + e.getMessage(), e);
        }
    }

    private TierProgram program(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw invalid("", "the file must be a mapping");
        }
        Measure measure = enumValue(Measure.class, text(root, "qualification.measure"), "qualification.measure");
        int window = integer(root, "qualification.windowMonths", 1, 36);
        int reviewMonth = integer(root, "review.month", 1, 12);
        int reviewDay = integer(root, "review.day", 1, 28);
        JsonNode tiers = root.path("tiers");
        if (!tiers.isArray() || tiers.isEmpty()) {
            throw invalid("tiers", "at least one tier is needed");
        }
        List<Tier> read = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++) {
            Tier tier = tier(tiers.get(i), "tiers[" + i + "]");
            if (!ids.add(tier.id())) {
                throw invalid("tiers[" + i + "].id", "'" + tier.id() + "' appears twice");
            }
            if (i == 0 && tier.threshold() != 0) {
                throw invalid("tiers[0].threshold", "the lowest tier is every member's: its threshold must be 0");
            }
            if (i > 0 && tier.threshold() <= read.get(i - 1).threshold()) {
                throw invalid("tiers[" + i + "].threshold", "thresholds must rise from tier to tier");
            }
            read.add(tier);
        }
        try {
            LocalDate.of(2025, reviewMonth, reviewDay);
        } catch (DateTimeException e) {
            throw invalid("review.day", e.getMessage());
        }
        return new TierProgram(measure, window, reviewMonth, reviewDay, List.copyOf(read));
    }

    private Tier tier(JsonNode node, String path) {
        String id = text(node, "id", path + ".id");
        if (!TIER_ID.matcher(id).matches()) {
            throw invalid(path + ".id", "'" + id + "' must be upper case letters, digits and _, e.g. GOLD");
        }
        String name = text(node, "name", path + ".name");
        int threshold = integer(node, "threshold", path + ".threshold", 0, 100_000_000);
        BigDecimal multiplier;
        try {
            multiplier = new BigDecimal(text(node, "earnMultiplier", path + ".earnMultiplier"));
        } catch (NumberFormatException e) {
            throw invalid(path + ".earnMultiplier", "not a number");
        }
        if (multiplier.compareTo(BigDecimal.ONE) < 0 || multiplier.compareTo(MAX_MULTIPLIER) > 0
                || multiplier.stripTrailingZeros().scale() > 2) {
            throw invalid(path + ".earnMultiplier", "must be between 1 and 5 with at most 2 decimals");
        }
        Funder funder = enumValue(Funder.class, text(node, "fundedBy", path + ".fundedBy"), path + ".fundedBy");
        return new Tier(id, name, threshold, multiplier, funder);
    }

    private String text(JsonNode root, String dottedPath) {
        JsonNode node = root;
        for (String part : dottedPath.split("\\.")) {
            node = node.path(part);
        }
        if (!node.isValueNode() || node.asText().isBlank()) {
            throw invalid(dottedPath, "is missing");
        }
        return node.asText();
    }

    private String text(JsonNode node, String field, String path) {
        JsonNode value = node.path(field);
        if (!value.isValueNode() || value.asText().isBlank()) {
            throw invalid(path, "is missing");
        }
        return value.asText();
    }

    private int integer(JsonNode root, String dottedPath, int min, int max) {
        return bounded(text(root, dottedPath), dottedPath, min, max);
    }

    private int integer(JsonNode node, String field, String path, int min, int max) {
        return bounded(text(node, field, path), path, min, max);
    }

    private int bounded(String text, String path, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw invalid(path, "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(path, "must be a whole number");
        }
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, String value, String path) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw invalid(path, "'" + value + "' is none of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private IllegalStateException invalid(String field, String problem) {
        return new IllegalStateException(file + ": " + (field.isEmpty() ? "" : field + " ") + problem);
    }
}
