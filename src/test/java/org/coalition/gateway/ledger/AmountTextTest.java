package org.coalition.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Currency;

import org.junit.jupiter.api.Test;

import org.coalition.gateway.support.EmbeddedPostgresResource;
import org.coalition.gateway.support.GatewayTest;

/** Events built in SQL show an amount in its currency's minor units, as the API's transactions do. */
@GatewayTest
class AmountTextTest {

    @Test
    void everyCurrencyGetsTheScaleJavaGivesIt() throws Exception {
        BigDecimal stored = new BigDecimal("1234.0000");
        try (Connection sql = DriverManager.getConnection(EmbeddedPostgresResource.jdbcUrl());
                PreparedStatement text = sql.prepareStatement("select coalition_amount_text(?, ?)")) {
            for (Currency currency : Currency.getAvailableCurrencies()) {
                int digits = currency.getDefaultFractionDigits();
                String expected = digits < 0 ? stored.toPlainString() : stored.setScale(digits).toPlainString();
                text.setBigDecimal(1, stored);
                text.setString(2, currency.getCurrencyCode());
                try (ResultSet row = text.executeQuery()) {
                    row.next();
                    assertEquals(expected, row.getString(1), currency.getCurrencyCode());
                }
            }
        }
    }
}
