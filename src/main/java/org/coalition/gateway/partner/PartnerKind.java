package org.coalition.gateway.partner;

import org.eclipse.microprofile.graphql.Enum;

@Enum("PartnerKind")
public enum PartnerKind {
    RETAILER,
    CHARITY,
    /** The coalition operator: a settlement party of its own, from configuration rather than a contract. */
    OPERATOR
}
