package org.coalition.gateway.membership;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.CoalitionConfig;

/**
 * The paid clubs, read once at start-up: a broken file stops the start, like a broken contract. A club sold by a
 * partner without a contract is refused too.
 */
@ApplicationScoped
public class ClubCatalog {

    private final Map<String, Club> clubs;

    public ClubCatalog(CoalitionConfig config, PartnerDirectory partners) {
        this.clubs = ClubCatalogReader.read(Path.of(config.clubs().file()));
        clubs.values().forEach(club -> club.soldBy().forEach(seller -> {
            if (partners.byId(seller).isEmpty()) {
                throw new IllegalStateException(config.clubs().file() + ": club " + club.id() + " soldBy names '" + seller
                        + "', which has no partner contract");
            }
        }));
    }

    void announce(@Observes StartupEvent event) {
        Log.infof("Paid clubs: %s", clubs.keySet());
    }

    public Optional<Club> byId(String id) {
        return Optional.ofNullable(clubs.get(id));
    }
}
