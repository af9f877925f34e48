package org.coalition.gateway.partner;

import org.eclipse.microprofile.graphql.Enum;

@Enum("PartnerKind")
public enum PartnerKind {
    RETAILER,
    CHARITY
}
