package org.coalition.gateway.ledger;

import org.eclipse.microprofile.graphql.Enum;

@Enum("Channel")
public enum Channel {
    STORE,
    WEB,
    APP,
    PHONE,
    OTHER
}
