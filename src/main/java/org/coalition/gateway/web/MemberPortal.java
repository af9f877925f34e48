package org.coalition.gateway.web;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
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

import org.coalition.gateway.donation.DonatePointsInput;
import org.coalition.gateway.donation.DonationService;
import org.coalition.gateway.ledger.LotReads;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionConnection;
import org.coalition.gateway.ledger.TransactionFilter;
import org.coalition.gateway.ledger.TransactionKind;
import org.coalition.gateway.ledger.TransactionReads;
import org.coalition.gateway.member.ClaimMembershipInput;
import org.coalition.gateway.member.Member;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberService;
import org.coalition.gateway.partner.Partner;
import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.partner.PartnerKind;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tier.TierService;
import org.coalition.gateway.tier.TierTypes.MemberTier;
import org.coalition.gateway.tier.TierTypes.TierProgress;

/**
 * The member portal (mobile first): balance and points per brand, points expiring soon, tier and progress, the card as
 * a QR code, donations to charity partners, and the history with filters. Reads and writes go through the services
 * the GraphQL API uses, with the member's own {@code Caller}.
 */
@Path("/app/member")
@Produces(MediaType.TEXT_HTML)
@PermissionsAllowed(CallerAugmentor.MEMBER_SELF)
public class MemberPortal {

    /** The expiry window the overview shows, as the API's default for expiringPoints. */
    static final int EXPIRY_WINDOW_DAYS = 30;

    @CheckedTemplate(basePath = "web/member", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance overview(WebPage page, Member member, String qr, List<BrandPoints> brands,
                int expiring, Instant nextExpiry, MemberTier tier, TierProgress progress, List<Partner> charities,
                String idempotencyKey, String notice, List<UserError> errors);

        static native TemplateInstance unclaimed(WebPage page, String idempotencyKey, List<UserError> errors);

        static native TemplateInstance history(WebPage page, List<HistoryRow> transactions, List<Partner> brands,
                List<String> kinds, HistoryFilter filter, String nextCursor, String errorField);
    }

    /** Points a member holds that one brand issued; share is of the member's balance, in percent. */
    public record BrandPoints(Partner partner, int points, int share) {
    }

    /** A transaction of the history with the name of the brand where it happened. */
    public record HistoryRow(PointTransaction transaction, String brand) {
    }

    /** The kinds a member can filter the history by. */
    static final List<String> KINDS = List.of("EARN", "BONUS", "REDEMPTION", "DONATION", "REVERSAL", "EXPIRY", "TRANSFER");

    public record HistoryFilter(String kind, String partner, String from, String to) {
        public String query() {
            return "kind=" + orEmpty(kind) + "&partner=" + orEmpty(partner) + "&from=" + orEmpty(from) + "&to=" + orEmpty(to);
        }

        private static String orEmpty(String value) {
            return value == null ? "" : java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final WebCallers callers;
    private final MemberRepository members;
    private final MemberService memberService;
    private final LotReads lots;
    private final TransactionReads transactions;
    private final TierService tiers;
    private final DonationService donations;
    private final PartnerApi partners;
    private final PartnerDirectory directory;
    private final WebConfig config;

    public MemberPortal(WebCallers callers, MemberRepository members, MemberService memberService, LotReads lots,
            TransactionReads transactions, TierService tiers, DonationService donations, PartnerApi partners,
            PartnerDirectory directory, WebConfig config) {
        this.directory = directory;
        this.callers = callers;
        this.members = members;
        this.memberService = memberService;
        this.lots = lots;
        this.transactions = transactions;
        this.tiers = tiers;
        this.donations = donations;
        this.partners = partners;
        this.config = config;
    }

    @GET
    public Uni<TemplateInstance> overview(@Context HttpHeaders headers, @RestQuery Integer donated) {
        return callers.page(headers, "member").flatMap(page -> overview(page, donated, List.of()));
    }

    @POST
    @Path("donate")
    public Uni<Object> donate(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String charityPartnerId, @RestForm String points) {
        return callers.submitted(headers, "member", csrf).flatMap(page -> {
            DonatePointsInput input = new DonatePointsInput();
            input.idempotencyKey = idempotencyKey;
            input.charityPartnerId = charityPartnerId;
            input.points = parsePoints(points);
            if (input.points <= 0) {
                return overview(page, null, List.of(UserError.invalid("points must be a positive whole number", "points")))
                        .map(Object.class::cast);
            }
            return donations.donate(page.caller(), input).flatMap(payload -> payload.userErrors().isEmpty()
                    ? Uni.createFrom().item(Response.seeOther(URI.create("/app/member?donated=" + input.points)).build())
                    : overview(page, null, payload.userErrors()).map(Object.class::cast));
        });
    }

    @POST
    @Path("claim")
    public Uni<Object> claim(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String cardNumber) {
        return callers.submitted(headers, "member", csrf).flatMap(page -> {
            ClaimMembershipInput input = new ClaimMembershipInput();
            input.idempotencyKey = idempotencyKey;
            input.cardNumber = cardNumber == null ? "" : cardNumber.replace(" ", "");
            return memberService.claim(page.caller(), input).map(payload -> payload.userErrors().isEmpty()
                    ? Response.seeOther(URI.create("/app/member")).build()
                    : page.in(Templates.unclaimed(page, UUID.randomUUID().toString(), payload.userErrors())));
        });
    }

    @GET
    @Path("history")
    public Uni<TemplateInstance> history(@Context HttpHeaders headers, @RestQuery String kind, @RestQuery String partner,
            @RestQuery String from, @RestQuery String to, @RestQuery String after) {
        return callers.page(headers, "history").flatMap(page -> members.findBySubject(page.caller().subject())
                .flatMap(member -> {
                    HistoryFilter shown = new HistoryFilter(kind, partner, from, to);
                    List<Partner> brands = partnersByName(null);
                    if (member.isEmpty()) {
                        return Uni.createFrom().item(page.in(Templates.history(page, List.of(), brands, KINDS, shown, null, null)));
                    }
                    TransactionFilter filter = new TransactionFilter();
                    String errorField = null;
                    try {
                        filter.kinds = blank(kind) ? null : List.of(TransactionKind.valueOf(kind));
                    } catch (IllegalArgumentException unknown) {
                        errorField = "kind";
                    }
                    filter.partnerId = blank(partner) ? null : partner;
                    try {
                        filter.from = blank(from) ? null : LocalDate.parse(from).atStartOfDay().toInstant(ZoneOffset.UTC);
                        filter.to = blank(to) ? null : LocalDate.parse(to).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                    } catch (DateTimeParseException malformed) {
                        errorField = "date";
                    }
                    if (errorField != null) {
                        return Uni.createFrom().item(page.in(Templates.history(page, List.of(), brands, KINDS, shown, null, errorField)));
                    }
                    return transactions.page(page.caller(), member.get().memberId(), filter, config.pageSize(), blank(after) ? null : after)
                            .map(found -> page.in(Templates.history(page, rows(found), brands, KINDS, shown, nextCursor(found), null)));
                }));
    }

    private Uni<TemplateInstance> overview(WebPage page, Integer donated, List<UserError> errors) {
        return members.findBySubject(page.caller().subject()).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(page.in(Templates.unclaimed(page, UUID.randomUUID().toString(), errors)));
            }
            Member member = found.get();
            UUID id = member.memberId();
            Uni<List<BrandPoints>> brands = lots.remainingByIssuer(id).map(byIssuer -> byIssuer.entrySet().stream()
                    .map(issuer -> new BrandPoints(partners.byId(issuer.getKey()), issuer.getValue(),
                            member.balance() == 0 ? 0 : (int) Math.round(100.0 * issuer.getValue() / member.balance())))
                    .sorted(Comparator.comparingInt(BrandPoints::points).reversed()).toList());
            Uni<Integer> expiring = lots.expiringBy(id, Instant.now().plus(Duration.ofDays(EXPIRY_WINDOW_DAYS)));
            Uni<Optional<Instant>> nextExpiry = lots.nextExpiry(id);
            Uni<MemberTier> tier = tiers.tier(page.caller(), id);
            Uni<Optional<TierProgress>> progress = tiers.progress(page.caller(), id);
            String notice = donated == null ? null : page.points(donated);
            return Uni.combine().all().unis(brands, expiring, nextExpiry, tier, progress).asTuple()
                    .map(all -> page.in(Templates.overview(page, member,
                            QrCodes.svg(member.cardNumber(), member.cardNumber()), all.getItem1(), all.getItem2(),
                            all.getItem3().orElse(null), all.getItem4(), all.getItem5().orElse(null),
                            partnersByName(PartnerKind.CHARITY), UUID.randomUUID().toString(), notice, errors)));
        });
    }

    /** Active partners of a kind (all kinds for null), by name. */
    private List<Partner> partnersByName(PartnerKind kind) {
        Instant now = Instant.now();
        return directory.all().stream().map(contract -> Partner.of(contract, now)).filter(Partner::active).filter(p -> kind == null || p.kind() == kind)
                .sorted(Comparator.comparing(Partner::name)).toList();
    }

    private List<HistoryRow> rows(TransactionConnection connection) {
        return nodes(connection).stream().map(tx -> new HistoryRow(tx, partners.byId(tx.partnerId()).name())).toList();
    }

    static List<PointTransaction> nodes(TransactionConnection connection) {
        return connection.edges().stream().map(TransactionConnection.TransactionEdge::node).toList();
    }

    static String nextCursor(TransactionConnection connection) {
        return connection.pageInfo().hasNextPage()
                ? java.net.URLEncoder.encode(connection.pageInfo().endCursor(), java.nio.charset.StandardCharsets.UTF_8) : null;
    }

    static int parsePoints(String points) {
        try {
            return points == null ? 0 : Integer.parseInt(points.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
