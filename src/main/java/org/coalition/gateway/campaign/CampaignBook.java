package org.coalition.gateway.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.shared.ServiceUnavailable;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * The running campaigns of every partner, in memory, so that an earn evaluates them without a database
 * read. Reloaded every few seconds and at once after a change through this replica; a campaign paused
 * through another replica is also refused by the earn's statement itself, which reads its status.
 */
@ApplicationScoped
public class CampaignBook {

    private static final String RUNNING = "select " + ActiveCampaign.COLUMNS
            + " from campaigns where status = 'ACTIVE' and ends_at > now()";

    /** A bonus an earn may grant, with the id its entry will have. */
    public record Candidate(ActiveCampaign campaign, int points, UUID entryId) {
    }

    private final TenantSessions sessions;
    private volatile Map<String, List<ActiveCampaign>> byPartner = Map.of();

    public CampaignBook(TenantSessions sessions) {
        this.sessions = sessions;
    }

    void load(@Observes StartupEvent event) {
        // not awaited: a database that is down at start-up must not stop the gateway; the next reload catches up
        reload().subscribe().with(ignored -> { }, failure -> Log.warnf("campaigns not loaded yet: %s", failure.getMessage()));
    }

    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reloadPeriodically() {
        return reload().onFailure(ServiceUnavailable.class).recoverWithNull();
    }

    public Uni<Void> reload() {
        return sessions.asSystem(connection -> connection.query(RUNNING).execute())
                .invoke(rows -> {
                    List<ActiveCampaign> running = new ArrayList<>();
                    rows.forEach(row -> running.add(ActiveCampaign.from(row)));
                    // in the order a retried earn reads its grants back (EarnService), so both answers list them alike
                    running.sort(java.util.Comparator.comparing(campaign -> campaign.id().toString()));
                    byPartner = running.stream().collect(Collectors.groupingBy(ActiveCampaign::partnerId));
                    Log.debugf("%d campaigns running", running.size());
                })
                .replaceWithVoid();
    }

    /** The bonuses the partner's running campaigns offer on this basket, before the member-side checks. */
    public List<Candidate> candidates(String partnerId, BonusRules.Basket basket) {
        List<ActiveCampaign> campaigns = byPartner.getOrDefault(partnerId, List.of());
        if (campaigns.isEmpty()) {
            return List.of();
        }
        List<Candidate> candidates = new ArrayList<>();
        for (ActiveCampaign campaign : campaigns) {
            int points = BonusRules.candidatePoints(campaign, basket);
            if (points > 0) {
                candidates.add(new Candidate(campaign, points, EntryIds.next()));
            }
        }
        return candidates;
    }
}
