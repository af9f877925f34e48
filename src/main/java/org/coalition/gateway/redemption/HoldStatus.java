package org.coalition.gateway.redemption;

import org.eclipse.microprofile.graphql.Enum;

@Enum("HoldStatus")
public enum HoldStatus {
    ACTIVE,
    CAPTURED,
    VOIDED,
    EXPIRED
}
