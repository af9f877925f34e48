package org.coalition.gateway.demo;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.earning.EarnPointsInput;
import org.coalition.gateway.earning.EarnService;
import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.member.ClaimMembershipInput;
import org.coalition.gateway.member.EnrollMemberInput;
import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.member.MemberService;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.Permission;

/**
 * Demo members with points, for trying the gateway in dev mode. Loaded through the same services the
 * API uses, with fixed idempotency keys, so a restart on the same database changes nothing.
 */
@ApplicationScoped
public class DemoData {

    /** Dev OIDC users (password grant, any password) and the demo cards bound to them. */
    static final List<DemoMember> MEMBERS = List.of(
            new DemoMember("alice", "6370000000000017", "freshmart", List.of(
                    new Purchase("freshmart", "84.20", "demo-alice-1"), new Purchase("fuelco", "61.50", "demo-alice-2"))),
            new DemoMember("bob", "6370000000000025", "fuelco", List.of(
                    new Purchase("fuelco", "45.00", "demo-bob-1"))),
            new DemoMember(null, "6370000000000033", "freshmart", List.of(
                    new Purchase("freshmart", "12.99", "demo-anon-1"))));

    record DemoMember(String devUser, String cardNumber, String enrolledAt, List<Purchase> purchases) {
    }

    record Purchase(String partnerId, String amount, String key) {
    }

    private final CoalitionConfig config;
    private final MemberService members;
    private final EarnService earning;

    public DemoData(CoalitionConfig config, MemberService members, EarnService earning) {
        this.config = config;
        this.members = members;
        this.earning = earning;
    }

    /** Runs after the partners are registered (default observer priority is 2500 for both; later is higher). */
    void onStart(@Observes @Priority(3000) StartupEvent event) {
        if (!config.demo().enabled()) {
            return;
        }
        Multi.createFrom().iterable(MEMBERS)
                .onItem().transformToUniAndConcatenate(this::load)
                .collect().last()
                .await().indefinitely();
        Log.infof("Demo data: %d members, cards %s", MEMBERS.size(),
                MEMBERS.stream().map(DemoMember::cardNumber).toList());
        printWhereToStart();
    }

    private static void printWhereToStart() {
        org.eclipse.microprofile.config.Config settings = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        String http = "http://localhost:" + settings.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        Log.infof("%n  GraphQL endpoint: %s/graphql%n  GraphQL UI:       %s/q/graphql-ui%n  OIDC dev server:  %s"
                + "%n  (tokens: see README, 'Tokens in dev mode')", http, http,
                settings.getOptionalValue("quarkus.oidc.auth-server-url", String.class).orElse("(not configured)"));
    }

    private Uni<Void> load(DemoMember demo) {
        EnrollMemberInput enroll = new EnrollMemberInput();
        enroll.idempotencyKey = "demo-enroll-" + demo.cardNumber();
        enroll.cardNumber = demo.cardNumber();
        return members.enroll(partner(demo.enrolledAt()), enroll)
                .invoke(payload -> failOn(payload.userErrors()))
                .flatMap(ignored -> Multi.createFrom().iterable(demo.purchases())
                        .onItem().transformToUniAndConcatenate(purchase -> earn(demo, purchase))
                        .collect().last())
                .flatMap(ignored -> demo.devUser() == null ? Uni.createFrom().voidItem() : claim(demo));
    }

    private Uni<Void> earn(DemoMember demo, Purchase purchase) {
        EarnPointsInput input = new EarnPointsInput();
        input.idempotencyKey = purchase.key();
        input.member = new MemberRefInput(null, demo.cardNumber());
        input.purchaseAmount = new BigDecimal(purchase.amount());
        input.currency = "EUR";
        input.channel = Channel.STORE;
        input.partnerReference = purchase.key();
        return earning.earn(partner(purchase.partnerId()), input).invoke(payload -> failOn(payload.userErrors())).replaceWithVoid();
    }

    private Uni<Void> claim(DemoMember demo) {
        ClaimMembershipInput input = new ClaimMembershipInput();
        input.idempotencyKey = "demo-claim-" + demo.cardNumber();
        input.cardNumber = demo.cardNumber();
        return members.claim(Caller.of(Caller.Kind.MEMBER, demo.devUser()), input)
                .invoke(payload -> failOn(payload.userErrors())).replaceWithVoid();
    }

    private static Caller partner(String partnerId) {
        return Caller.partner(partnerId, "demo-loader", Set.of(Permission.values()));
    }

    private static void failOn(List<UserError> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalStateException("demo data rejected: " + errors);
        }
    }
}
