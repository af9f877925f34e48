package org.coalition.gateway.offer;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.member.Member;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

/** A member's personalised offers across the coalition. */
@GraphQLApi
@ExplainedRefusals
@OperationMetrics
public class OfferApi {

    private final OfferService offers;
    private final CurrentCaller caller;
    private final MemberRepository members;

    public OfferApi(OfferService offers, CurrentCaller caller, MemberRepository members) {
        this.offers = offers;
        this.caller = caller;
        this.members = members;
    }

    @Query("myOffers")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @Description("Campaigns and challenges the calling member can earn now, closest first.")
    public @NonNull Uni<List<@NonNull Offer>> myOffers() {
        return caller.get().flatMap(offers::offersFor);
    }

    @Description("The member's offers, closest first: only for the member themself (me { offers }), empty for anyone else.")
    public Uni<List<@NonNull Offer>> offers(@Source Member member) {
        return caller.get().flatMap(c -> !c.isMember() ? Uni.createFrom().item(List.<Offer>of())
                : members.idOfSubject(c.subject()).flatMap(id -> id.isPresent() && id.get().equals(member.memberId())
                        ? offers.offersFor(c)
                        : Uni.createFrom().item(List.<Offer>of())));
    }
}
