package org.coalition.gateway.member;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.PermissionsAllowed;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.shared.MutationBudget;

import org.coalition.gateway.ledger.LedgerEvents;
import org.coalition.gateway.ledger.LotReads;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionConnection;
import org.coalition.gateway.ledger.TransactionFilter;
import org.coalition.gateway.ledger.TransactionReads;
import org.coalition.gateway.member.MemberPayloads.ClaimMembershipPayload;
import org.coalition.gateway.member.MemberPayloads.EnrollMemberPayload;
import org.coalition.gateway.member.MemberPayloads.IssuerPoints;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.InvalidArgument;
import org.coalition.gateway.shared.Refusal;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
@MutationBudget
public class MemberApi {

    static final int MAX_EXPIRY_WINDOW_DAYS = 3650;

    private final MemberService service;
    private final MemberRepository members;
    private final LotReads lots;
    private final TransactionReads transactions;
    private final PartnerApi partners;
    private final CurrentCaller caller;
    private final LedgerEvents events;

    public MemberApi(MemberService service, MemberRepository members, LotReads lots, TransactionReads transactions,
            PartnerApi partners, CurrentCaller caller, LedgerEvents events) {
        this.events = events;
        this.service = service;
        this.members = members;
        this.lots = lots;
        this.transactions = transactions;
        this.partners = partners;
        this.caller = caller;
    }

    @Mutation("enrollMember")
    @PermissionsAllowed("members:enroll")
    @NonNull
    public Uni<EnrollMemberPayload> enrollMember(@NonNull @Name("input") EnrollMemberInput input) {
        return caller.get().flatMap(c -> service.enroll(c, input));
    }

    @Mutation("claimMembership")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Uni<ClaimMembershipPayload> claimMembership(@NonNull @Name("input") ClaimMembershipInput input) {
        return caller.get().flatMap(c -> service.claim(c, input));
    }

    @Query("me")
    @Description("The calling member (member tokens). Null until the member has claimed a card.")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    public Uni<Member> me() {
        return caller.get().flatMap(c -> members.findBySubject(c.subject())).map(found -> found.orElse(null));
    }

    @Query("member")
    @Description("A member as a partner sees it: balance and this partner's own transactions only.")
    @PermissionsAllowed({ "members:read", CallerAugmentor.MEMBERS_READ_ALL })
    public Uni<Member> member(@NonNull @Name("ref") MemberRefInput ref) {
        MemberKey key;
        try {
            key = MemberKey.from(ref, "ref");
        } catch (BusinessFailure invalid) {
            throw new InvalidArgument(invalid.errors().get(0).message());
        }
        return caller.get().flatMap(c -> members.findAndLogRead(key, c.kind().name(), c.partnerId(),
                        c.isPartner() ? null : c.subject(), "member"))
                .map(found -> found.orElse(null));
    }

    @Subscription("balanceChanged")
    @Description("The calling member's balance after every change.")
    @PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
    @NonNull
    public Multi<Member> balanceChanged() {
        return caller.get()
                .flatMap(c -> members.idOfSubject(c.subject()))
                .onItem().transformToMulti(memberId -> memberId.isEmpty() ? Multi.createFrom().<Member>empty()
                        : events.stream()
                                .select().where(event -> event.memberId().equals(memberId.get()))
                                .onItem().transformToUniAndConcatenate(event -> members.find(new MemberKey.ById(memberId.get())))
                                .select().where(java.util.Optional::isPresent)
                                .map(java.util.Optional::get));
    }

    @Description("Points that expire within the given number of days.")
    @NonNull
    public Uni<Integer> expiringPoints(@Source Member member, @DefaultValue("30") int withinDays) {
        if (withinDays < 0 || withinDays > MAX_EXPIRY_WINDOW_DAYS) {
            throw new InvalidArgument("withinDays must be between 0 and " + MAX_EXPIRY_WINDOW_DAYS);
        }
        return lots.expiringBy(member.memberId(), Instant.now().plus(Duration.ofDays(withinDays)));
    }

    public Uni<Instant> nextExpiryAt(@Source Member member) {
        return lots.nextExpiry(member.memberId()).map(next -> next.orElse(null));
    }

    @Description("Where the member's points came from, per issuing partner (member and settlement only).")
    @NonNull
    public Uni<List<@NonNull IssuerPoints>> pointsByIssuer(@Source Member member) {
        return caller.get().flatMap(c -> {
            if (c.isPartner()) {
                throw new Refusal("pointsByIssuer is visible to the member and the settlement team only");
            }
            return lots.remainingByIssuer(member.memberId());
        }).map(byIssuer -> byIssuer.entrySet().stream()
                .map(issuer -> new IssuerPoints(partners.byId(issuer.getKey()), issuer.getValue()))
                .toList());
    }

    @NonNull
    public Uni<TransactionConnection> transactions(@Source Member member, TransactionFilter filter, Integer first, String after) {
        return caller.get().flatMap(c -> transactions.page(c, member.memberId(), filter, first, after));
    }

    @Name("member")
    @NonNull
    public Uni<List<Member>> membersOf(@Source List<PointTransaction> posted) {
        List<UUID> ids = posted.stream().map(PointTransaction::memberId).distinct().toList();
        return caller.get().flatMap(c -> c.isMember() ? members.findAll(ids)
                : members.findAllAndLogRead(ids, c.kind().name(), c.partnerId(), c.isPartner() ? null : c.subject(), "transactions.member"))
                .map(found -> {
            Map<String, Member> byId = found.stream().collect(Collectors.toMap(Member::id, Function.identity()));
            return posted.stream().map(tx -> byId.get(tx.memberId().toString())).toList();
        });
    }
}
