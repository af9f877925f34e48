package org.coalition.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Production's rules for endpoint URLs: https on public addresses only. */
class WebhookTargetsTest {

    private final WebhookTargets production = new WebhookTargets(true, false);
    private final WebhookTargets development = new WebhookTargets(false, true);

    @ParameterizedTest
    @ValueSource(strings = { "http://93.184.216.34/hook", "https://localhost/hook", "https://api.localhost/hook",
            "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://172.16.0.9/hook", "https://192.168.1.1/hook",
            "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/hook", "https://0.0.0.0/hook", "https://[::1]/hook",
            "https://[fd00::1]/hook", "https://[::ffff:10.0.0.1]/hook", "https://gateway.default.svc.cluster.local/hook",
            "https://metadata.google.internal/hook", "ftp://93.184.216.34/hook", "https://user@93.184.216.34/hook", "hook" })
    void productionRefuses(String url) {
        assertTrue(problem(production, url).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://93.184.216.34/hook", "https://93.184.216.34:8443/coalition/events?v=1",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/hook" })
    void productionAccepts(String url) {
        assertEquals(Optional.empty(), problem(production, url), url);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8080/hook", "http://127.0.0.1:9999/x", "https://10.0.0.5/hook" })
    void developmentAcceptsLocalReceivers(String url) {
        assertEquals(Optional.empty(), problem(development, url), url);
    }

    private static Optional<String> problem(WebhookTargets targets, String url) {
        return targets.problemWith(url).await().indefinitely();
    }
}
