package org.coalition.gateway.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * What production mode must not serve, read from the configuration the packaged gateway runs with (the
 * Quarkus test run cannot use the prod profile; RestartIT starts the packaged jar in it; README "Security
 * model" lists the same).
 */
class ProductionProfileTest {

    @Test
    void productionServesNoIntrospectionNoSchemaFileAndNoUi() throws IOException {
        Properties config = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            config.load(in);
        }

        assertEquals("no-introspection", config.getProperty("%prod.quarkus.smallrye-graphql.field-visibility"));
        assertEquals("false", config.getProperty("%prod.quarkus.smallrye-graphql.schema-available"));
        assertEquals("false", config.getProperty("%prod.quarkus.smallrye-graphql.ui.enabled"));
        assertEquals("false", config.getProperty("quarkus.smallrye-graphql.ui.always-include"),
                "the UI is not even packaged into a production build");
        assertEquals("reason", config.getProperty("quarkus.smallrye-graphql.error-extension-fields"),
                "errors carry a reason, never an exception class");
    }
}
