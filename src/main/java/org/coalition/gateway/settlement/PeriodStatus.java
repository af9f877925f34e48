package org.coalition.gateway.settlement;

import org.eclipse.microprofile.graphql.Enum;

@Enum("PeriodStatus")
public enum PeriodStatus {
    OPEN,
    CLOSED
}
