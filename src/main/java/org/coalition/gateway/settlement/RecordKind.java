package org.coalition.gateway.settlement;

import org.eclipse.microprofile.graphql.Enum;

@Enum("RecordKind")
public enum RecordKind {
    ISSUANCE_FEE,
    REDEMPTION,
    EXPIRY,
    REVERSAL,
    ADJUSTMENT
}
