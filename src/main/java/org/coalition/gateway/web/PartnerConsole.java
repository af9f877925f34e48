package org.coalition.gateway.web;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.earning.EarnPointsInput;
import org.coalition.gateway.earning.EarnService;
import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionReads;
import org.coalition.gateway.member.CardNumbers;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRefInput;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.reversal.ReverseTransactionInput;
import org.coalition.gateway.reversal.ReversalService;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.Permission;

/**
 * The partner console for a partner's staff: look up a member by card, their balance and this partner's own
 * transactions with them, and earn or reverse with the staff user's permissions (scopes intersected with the
 * contract, as for the partner's systems). The services below are the GraphQL API's, with the same {@code Caller}.
 * The partner's campaigns and webhook endpoints have pages of their own ({@link PartnerCampaigns},
 * {@link PartnerWebhooks}).
 */
@Path("/app/partner")
@Produces(MediaType.TEXT_HTML)
public class PartnerConsole {

    @CheckedTemplate(basePath = "web/partner", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance console(WebPage page, Partner partner, String card, Member member,
                List<PointTransaction> transactions, boolean mayEarn, boolean mayReverse, String idempotencyKey,
                Notice notice, List<UserError> errors);
    }

    /** What the last form did, shown after its redirect: {@code earned} or {@code reversed}, and how many points. */
    public record Notice(String kind, String points) {
        static Notice parse(String notice, WebPage page) {
            String[] parts = notice == null ? new String[0] : notice.split(":");
            if (parts.length != 2 || !(parts[0].equals("earned") || parts[0].equals("reversed"))) {
                return null;
            }
            return new Notice(parts[0], page.points(MemberPortal.parsePoints(parts[1])));
        }
    }

    private final WebCallers callers;
    private final MemberRepository members;
    private final TransactionReads transactions;
    private final EarnService earning;
    private final ReversalService reversals;
    private final PartnerApi partners;
    private final WebConfig config;

    public PartnerConsole(WebCallers callers, MemberRepository members, TransactionReads transactions, EarnService earning,
            ReversalService reversals, PartnerApi partners, WebConfig config) {
        this.callers = callers;
        this.members = members;
        this.transactions = transactions;
        this.earning = earning;
        this.reversals = reversals;
        this.partners = partners;
        this.config = config;
    }

    @GET
    @PermissionsAllowed("members:read")
    public Uni<TemplateInstance> console(@Context HttpHeaders headers, @RestQuery String card, @RestQuery String notice) {
        return callers.page(headers, "partner").flatMap(page -> console(page, card, notice, List.of()));
    }

    @POST
    @Path("earn")
    @PermissionsAllowed("points:earn")
    public Uni<Object> earn(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String card, @RestForm String amount, @RestForm String reference) {
        return callers.submitted(headers, "partner", csrf).flatMap(page -> {
            EarnPointsInput input = new EarnPointsInput();
            input.idempotencyKey = idempotencyKey;
            input.member = cardRef(card);
            input.currency = partners.byId(page.caller().partnerId()).currency();
            input.channel = Channel.STORE;
            input.partnerReference = MemberPortal.blank(reference) ? null : reference.strip();
            try {
                input.purchaseAmount = new BigDecimal(amount.strip().replace(',', '.'));
            } catch (RuntimeException malformed) {
                return console(page, card, null, List.of(UserError.invalid("purchase amount is not a number", "amount")))
                        .map(Object.class::cast);
            }
            return earning.earn(page.caller(), input).flatMap(payload -> payload.userErrors().isEmpty()
                    ? Uni.createFrom().item(back(card, "earned:" + payload.transaction().points()))
                    : console(page, card, null, payload.userErrors()).map(Object.class::cast));
        });
    }

    @POST
    @Path("reverse")
    @PermissionsAllowed("points:reverse")
    public Uni<Object> reverse(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String card, @RestForm String transactionId) {
        return callers.submitted(headers, "partner", csrf).flatMap(page -> {
            ReverseTransactionInput input = new ReverseTransactionInput();
            input.idempotencyKey = idempotencyKey;
            input.transactionId = transactionId;
            input.reason = "partner console";
            return reversals.reverse(page.caller(), input).flatMap(payload -> payload.userErrors().isEmpty()
                    ? Uni.createFrom().item(back(card, "reversed:" + Math.abs(payload.transaction().points())))
                    : console(page, card, null, payload.userErrors()).map(Object.class::cast));
        });
    }

    private Uni<TemplateInstance> console(WebPage page, String card, String noticeParameter, List<UserError> errors) {
        Notice notice = Notice.parse(noticeParameter, page);
        Partner partner = partners.byId(page.caller().partnerId());
        boolean mayEarn = page.caller().permissions().contains(Permission.POINTS_EARN);
        boolean mayReverse = page.caller().permissions().contains(Permission.POINTS_REVERSE);
        String key = UUID.randomUUID().toString();
        if (MemberPortal.blank(card)) {
            return Uni.createFrom().item(page.in(Templates.console(page, partner, null, null, List.of(), mayEarn, mayReverse,
                    key, notice, errors)));
        }
        String cardNumber = card.replace(" ", "");
        if (!CardNumbers.isWellFormed(cardNumber)) {
            return Uni.createFrom().item(page.in(Templates.console(page, partner, card, null, List.of(), mayEarn, mayReverse,
                    key, notice, List.of(UserError.invalid("card number must be 12 to 19 digits with a valid check digit", "card")))));
        }
        return members.find(new MemberKey.ByCard(cardNumber)).flatMap(found -> found.isEmpty()
                ? Uni.createFrom().item(Optional.<Member>empty()).map(none -> page.in(Templates.console(page, partner, card, null,
                        List.of(), mayEarn, mayReverse, key, notice, errors)))
                : transactions.page(page.caller(), found.get().memberId(), null, config.pageSize(), null)
                        .map(own -> page.in(Templates.console(page, partner, cardNumber, found.get(), MemberPortal.nodes(own),
                                mayEarn, mayReverse, key, notice, errors))));
    }

    private static MemberRefInput cardRef(String card) {
        MemberRefInput ref = new MemberRefInput();
        ref.cardNumber = card == null ? null : card.replace(" ", "");
        return ref;
    }

    private static Response back(String card, String notice) {
        return Response.seeOther(URI.create("/app/partner?card=" + URLEncoder.encode(card, StandardCharsets.UTF_8)
                + "&notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8))).build();
    }
}
