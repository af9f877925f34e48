package org.coalition.gateway.settlement;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;

@Enum("RecordKind")
public enum RecordKind {
    ISSUANCE_FEE,
    REDEMPTION,
    EXPIRY,
    REVERSAL,
    ADJUSTMENT,
    @Description("A paid membership's fee (seller owes the operator the fee less its commission) or its refund; 0 points.")
    MEMBERSHIP_FEE
}
