package org.coalition.gateway.tier;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;
import io.smallrye.graphql.api.Subscription;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.ledger.LedgerEvents;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;
import org.coalition.gateway.tier.TierTypes.MemberTier;
import org.coalition.gateway.tier.TierTypes.TierChange;
import org.coalition.gateway.tier.TierTypes.TierProgress;

/** A member's tier on the member, wherever the member is shown; progress and history only to the member and the coalition. */
@GraphQLApi
@ExplainedRefusals
public class TierApi {

    private final TierService tiers;
    private final CurrentCaller caller;
    private final LedgerEvents events;
    private final MemberRepository members;

    public TierApi(TierService tiers, CurrentCaller caller, LedgerEvents events, MemberRepository members) {
        this.tiers = tiers;
        this.caller = caller;
        this.events = events;
        this.members = members;
    }

    @Description("The member's tier in the coalition.")
    public @NonNull Uni<MemberTier> tier(@Source Member member) {
        return caller.get().flatMap(c -> tiers.tier(c, member.memberId()));
    }

    @Description("Progress to the next tier; only for the member and the coalition's teams.")
    public Uni<TierProgress> tierProgress(@Source Member member) {
        return caller.get().flatMap(c -> tiers.progress(c, member.memberId())).map(progress -> progress.orElse(null));
    }

    @Description("Tier changes, newest first (50 at most); only for the member and the coalition's teams.")
    public Uni<List<@NonNull TierChange>> tierHistory(@Source Member member) {
        return caller.get().flatMap(c -> tiers.history(c, member.memberId())).map(history -> history.orElse(null));
    }

    @Subscription("tierChanged")
    @Description("The calling member's tier, every time it changes.")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    public @NonNull Multi<MemberTier> tierChanged() {
        return caller.get().onItem().transformToMulti(member -> Multi.createFrom().uni(members.idOfSubject(member.subject()))
                .onItem().transformToMultiAndConcatenate(memberId -> memberId.isEmpty()
                        ? Multi.createFrom().<MemberTier>empty()
                        : changesOf(member, memberId.get())));
    }

    private Multi<MemberTier> changesOf(Caller member, UUID memberId) {
        return events.stream()
                .select().where(event -> event.tierChanged() && event.memberId().equals(memberId))
                .onItem().transformToUniAndConcatenate(event -> tiers.tier(member, memberId));
    }
}
