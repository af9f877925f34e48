package org.coalition.gateway.partner;

public enum PartnerStatus {
    ACTIVE,
    SUSPENDED
}
