package org.coalition.gateway.web;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriod;
import org.coalition.gateway.settlement.SettlementTypes.SettlementStatement;

/**
 * Points issued against points redeemed at each partner, per closed period, drawn on the server as one small SVG bar
 * chart per partner (small multiples, one scale for all): no chart library, no script.
 */
final class IssuedRedeemedChart {

    static final int WIDTH = 320;
    static final int HEIGHT = 120;
    static final int AXIS = 16;
    /** Bars stay bars when only a few periods are closed yet. */
    static final int MAX_BAR_WIDTH = 28;

    private IssuedRedeemedChart() {
    }

    /** @param statements per period of {@code closed}, in the same order */
    static String svg(List<SettlementPeriod> closed, List<List<SettlementStatement>> statements,
            Function<String, String> names, WebPage page) {
        Map<String, long[][]> byPartner = new TreeMap<>();
        long largest = 1;
        for (int i = 0; i < closed.size(); i++) {
            for (SettlementStatement statement : statements.get(i)) {
                long[][] series = byPartner.computeIfAbsent(statement.partnerId(), id -> new long[2][closed.size()]);
                series[0][i] += statement.pointsIssued().longValue();
                series[1][i] += statement.pointsRedeemedHere().longValue();
                largest = Math.max(largest, Math.max(series[0][i], series[1][i]));
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, long[][]> partner : byPartner.entrySet()) {
            long[][] series = partner.getValue();
            if (sum(series[0]) + sum(series[1]) == 0) {
                continue;
            }
            String name = QrCodes.escaped(names.apply(partner.getKey()));
            out.append("<figure class=\"chart\"><figcaption>").append(name).append("</figcaption>")
                    .append("<svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                    .append("\" role=\"img\" aria-label=\"").append(name).append("\">");
            double slot = (double) WIDTH / Math.max(1, closed.size());
            double bar = Math.min(MAX_BAR_WIDTH, Math.max(2, slot / 2 - 4));
            for (int i = 0; i < closed.size(); i++) {
                for (int s = 0; s < 2; s++) {
                    double height = (HEIGHT - AXIS) * (double) series[s][i] / largest;
                    double x = i * slot + 2 + s * (bar + 2);
                    out.append("<rect class=\"").append(s == 0 ? "issued" : "redeemed").append("\" x=\"").append(round(x))
                            .append("\" y=\"").append(round(HEIGHT - AXIS - height)).append("\" width=\"").append(round(bar))
                            .append("\" height=\"").append(round(height)).append("\"><title>")
                            .append(page.date(closed.get(i).startsAt())).append(": ").append(page.points(series[s][i]))
                            .append("</title></rect>");
                }
                out.append("<text x=\"").append(round(i * slot + 2)).append("\" y=\"").append(HEIGHT - 3)
                        .append("\" font-size=\"10\">").append(QrCodes.escaped(page.date(closed.get(i).startsAt()))).append("</text>");
            }
            out.append("</svg></figure>");
        }
        return out.toString();
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }

    private static String round(double value) {
        return String.valueOf(Math.round(value * 10) / 10.0);
    }
}
