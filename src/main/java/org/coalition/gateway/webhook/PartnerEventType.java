package org.coalition.gateway.webhook;

import java.util.Arrays;
import java.util.Optional;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;

/**
 * What a partner can hear about. The GraphQL enum names the types; webhook bodies and the
 * {@code Coalition-Event-Type} header carry the wire names ({@code TransactionPosted}).
 */
@Enum("PartnerEventType")
@Description("A kind of partner event, delivered by webhook under its wire name (TRANSACTION_POSTED is TransactionPosted).")
public enum PartnerEventType {
    TRANSACTION_POSTED("TransactionPosted"),
    TRANSACTION_REVERSED("TransactionReversed"),
    HOLD_EXPIRED("HoldExpired"),
    POINTS_EXPIRING("PointsExpiring"),
    SETTLEMENT_PERIOD_CLOSED("SettlementPeriodClosed"),
    DISPUTE_OPENED("DisputeOpened"),
    DISPUTE_RESOLVED("DisputeResolved"),
    CHALLENGE_COMPLETED("ChallengeCompleted");

    private final String wireName;

    PartnerEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<PartnerEventType> fromWireName(String wireName) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(wireName)).findFirst();
    }
}
