package org.coalition.gateway.partner;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.support.GatewayTest;

/**
 * The directory is read again every 30 s. What is kept per contract version (the earn's shared request fields,
 * EarnService) relies on an unchanged contract keeping its instances from one reload to the next.
 */
@GatewayTest
class PartnerDirectoryTest {

    @Inject
    PartnerDirectory directory;

    @Test
    void aReloadThatFindsNothingChangedKeepsTheContractsInForce() {
        PartnerContract before = directory.byId("freshmart").orElseThrow();

        assertFalse(directory.reload(), "nothing changed in the contract files");

        assertSame(before, directory.byId("freshmart").orElseThrow());
        assertSame(before.versions().get(0), directory.byId("freshmart").orElseThrow().versions().get(0));
    }
}
