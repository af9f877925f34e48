package org.coalition.gateway.campaign;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import io.vertx.mutiny.sqlclient.Row;

/** A campaign as the earn path needs it: its rule and window. Segments, caps and budget are checked in SQL. */
public record ActiveCampaign(UUID id, String partnerId, String name, CampaignRuleKind ruleKind, String category,
        BigDecimal multiplier, BigDecimal minimumBasket, Integer bonusPoints, String currency, Instant startsAt, Instant endsAt) {

    static final String COLUMNS = "id, partner_id, name, rule_kind, category, multiplier, minimum_basket, bonus_points, currency,"
            + " starts_at, ends_at";

    static ActiveCampaign from(Row row) {
        return new ActiveCampaign(row.getUUID("id"), row.getString("partner_id"), row.getString("name"),
                CampaignRuleKind.valueOf(row.getString("rule_kind")), row.getString("category"), row.getBigDecimal("multiplier"),
                row.getBigDecimal("minimum_basket"), row.getInteger("bonus_points"), row.getString("currency"),
                row.getOffsetDateTime("starts_at").toInstant(), row.getOffsetDateTime("ends_at").toInstant());
    }

    boolean runsAt(Instant instant) {
        return !instant.isBefore(startsAt) && instant.isBefore(endsAt);
    }
}
