package org.coalition.gateway.settlement;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

import org.coalition.gateway.settlement.DisputeTypes.Dispute;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriod;
import org.coalition.gateway.settlement.SettlementTypes.SettlementStatement;
import org.coalition.gateway.shared.Invariant;
import org.coalition.gateway.webhook.PartnerEventType;
import org.coalition.gateway.webhook.PartnerEvents;

/**
 * Who hears what about settlement, raised in the transaction of the close or the dispute it reports: every
 * party with a statement hears of a close with its own figures; both parties of a disputed record hear
 * of the dispute and its resolution (once, when a partner disputes a record with itself).
 */
@ApplicationScoped
public class SettlementEvents {

    private final PartnerEvents events;

    public SettlementEvents(PartnerEvents events) {
        this.events = events;
    }

    Uni<Void> periodClosed(SqlConnection connection, SettlementPeriod period, List<SettlementStatement> statements) {
        Map<String, List<SettlementStatement>> byParty = statements.stream()
                .collect(Collectors.groupingBy(SettlementStatement::partnerId, LinkedHashMap::new, Collectors.toList()));
        return Multi.createFrom().iterable(byParty.entrySet())
                .onItem().transformToUniAndConcatenate(party -> events.publish(connection, party.getKey(),
                        PartnerEventType.SETTLEMENT_PERIOD_CLOSED, null, null, periodClosed(period, party.getValue())))
                .collect().last().replaceWithVoid();
    }

    /** @param record the disputed settlement record, with its debtor_id and creditor_id */
    Uni<Void> disputeOpened(SqlConnection connection, Dispute dispute, Row record) {
        return toParties(connection, PartnerEventType.DISPUTE_OPENED, dispute, record, dispute(dispute));
    }

    Uni<Void> disputeResolved(SqlConnection connection, Dispute dispute, Row record, String note) {
        JsonObject data = dispute(dispute)
                .put("outcome", dispute.status().name())
                .put("note", note)
                .put("adjustmentRecordId", dispute.adjustmentRecordId() == null ? null : dispute.adjustmentRecordId().toString());
        return toParties(connection, PartnerEventType.DISPUTE_RESOLVED, dispute, record, data);
    }

    private Uni<Void> toParties(SqlConnection connection, PartnerEventType type, Dispute dispute, Row record, JsonObject data) {
        Set<String> parties = new LinkedHashSet<>(List.of(dispute.raisedBy(), record.getString("debtor_id"), record.getString("creditor_id")));
        // row-level security shows a partner only the records it is party to, so it can dispute no other
        Invariant.check(parties.size() <= 2, "dispute " + dispute.id() + " raised by a partner not party to its record");
        return Multi.createFrom().iterable(parties)
                .onItem().transformToUniAndConcatenate(party -> events.publish(connection, party, type, null, null, data))
                .collect().last().replaceWithVoid();
    }

    private static JsonObject dispute(Dispute dispute) {
        return new JsonObject()
                .put("disputeId", dispute.id())
                .put("recordId", dispute.recordId().toString())
                .put("raisedBy", dispute.raisedBy())
                .put("reason", dispute.reason())
                .put("status", dispute.status().name());
    }

    private static JsonObject periodClosed(SettlementPeriod period, List<SettlementStatement> statements) {
        JsonArray figures = new JsonArray();
        statements.forEach(statement -> figures.add(new JsonObject()
                .put("currency", statement.currency())
                .put("pointsIssued", statement.pointsIssued().longValueExact())
                .put("pointsRedeemedHere", statement.pointsRedeemedHere().longValueExact())
                .put("pointsRedeemedElsewhere", statement.pointsRedeemedElsewhere().longValueExact())
                .put("pointsExpired", statement.pointsExpired().longValueExact())
                .put("amountOwed", statement.amountOwed().toPlainString())
                .put("amountDue", statement.amountDue().toPlainString())
                .put("net", statement.net().toPlainString())));
        return new JsonObject()
                .put("periodId", period.id())
                .put("periodStart", period.startsAt().toString())
                .put("periodEnd", period.endsAt().toString())
                .put("closedAt", period.closedAt().toString())
                .put("statements", figures);
    }
}
