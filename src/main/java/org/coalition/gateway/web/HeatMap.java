package org.coalition.gateway.web;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.coalition.gateway.settlement.SettlementTypes.BilateralPosition;

/**
 * A period's netting matrix as a heat map: one row per debtor, one column per creditor, each cell's shade one of
 * {@link #LEVELS} steps of its amount against the largest (a CSS class, since the strict CSP allows no style
 * attributes). Amounts of several currencies are shown apart and shaded within their currency.
 */
public record HeatMap(List<String> creditors, List<Row> rows) {

    static final int LEVELS = 5;

    public record Row(String debtor, List<Cell> cells) {
    }

    public record Cell(String text, int level, String label) {
    }

    static HeatMap of(List<BilateralPosition> positions, Function<String, String> names, WebPage page) {
        TreeSet<String> parties = new TreeSet<>();
        Map<String, BigDecimal> largestByCurrency = new TreeMap<>();
        Map<String, List<BilateralPosition>> byPair = new TreeMap<>();
        for (BilateralPosition position : positions) {
            parties.add(position.debtorId());
            parties.add(position.creditorId());
            largestByCurrency.merge(position.currency(), position.amount().abs(), BigDecimal::max);
            byPair.computeIfAbsent(position.debtorId() + "\n" + position.creditorId(), pair -> new ArrayList<>()).add(position);
        }
        List<String> creditors = parties.stream().map(names).toList();
        List<Row> rows = new ArrayList<>();
        for (String debtor : parties) {
            List<Cell> cells = new ArrayList<>();
            for (String creditor : parties) {
                List<BilateralPosition> owed = byPair.getOrDefault(debtor + "\n" + creditor, List.of());
                if (owed.isEmpty()) {
                    cells.add(new Cell("", 0, names.apply(debtor) + " \u2192 " + names.apply(creditor) + ": 0"));
                    continue;
                }
                StringBuilder text = new StringBuilder();
                int level = 0;
                for (BilateralPosition position : owed) {
                    text.append(text.length() == 0 ? "" : " ").append(page.amount(position.amount())).append(' ').append(position.currency());
                    level = Math.max(level, level(position.amount(), largestByCurrency.get(position.currency())));
                }
                cells.add(new Cell(text.toString(), level, names.apply(debtor) + " \u2192 " + names.apply(creditor) + ": " + text));
            }
            rows.add(new Row(names.apply(debtor), cells));
        }
        return new HeatMap(creditors, rows);
    }

    /** 1..LEVELS for a non-zero amount, by its share of the largest; 0 for none. */
    static int level(BigDecimal amount, BigDecimal largest) {
        if (amount.signum() == 0 || largest == null || largest.signum() == 0) {
            return 0;
        }
        double share = amount.abs().doubleValue() / largest.doubleValue();
        return Math.max(1, (int) Math.ceil(share * LEVELS));
    }
}
