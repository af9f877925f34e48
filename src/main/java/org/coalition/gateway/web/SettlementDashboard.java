package org.coalition.gateway.web;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.partner.PartnerApi;
import org.coalition.gateway.settlement.DisputeService;
import org.coalition.gateway.settlement.DisputeTypes.Dispute;
import org.coalition.gateway.settlement.DisputeTypes.ResolveDisputeInput;
import org.coalition.gateway.settlement.PeriodStatus;
import org.coalition.gateway.settlement.SettlementService;
import org.coalition.gateway.settlement.SettlementTypes.CloseSettlementPeriodInput;
import org.coalition.gateway.settlement.SettlementTypes.SettlementPeriod;
import org.coalition.gateway.settlement.SettlementTypes.SettlementRecord;
import org.coalition.gateway.settlement.SettlementTypes.SettlementStatement;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.tenancy.CallerAugmentor;

/**
 * The settlement dashboard: periods open and closed (closing one), a period's netting matrix as a heat map, every
 * party's statement with drill-down to its records (disputed ones marked), open disputes to accept or reject, the
 * CSV files, and a chart of points
 * issued against points redeemed per partner over the last closed periods. Reads the settlement service as the
 * GraphQL API does, with the settlement team's {@code Caller}.
 */
@Path("/app/settlement")
@Produces(MediaType.TEXT_HTML)
@PermissionsAllowed(CallerAugmentor.SETTLEMENT_MANAGE)
public class SettlementDashboard {

    @CheckedTemplate(basePath = "web/settlement", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance periods(WebPage page, List<SettlementPeriod> periods, String chart,
                List<DisputeRow> disputes, String notice, List<UserError> errors);

        static native TemplateInstance period(WebPage page, SettlementPeriod period, List<StatementRow> statements,
                HeatMap heatMap);

        static native TemplateInstance records(WebPage page, SettlementPeriod period, String partnerName, String partnerId,
                List<RecordRow> records, String nextCursor);
    }

    public record StatementRow(String partnerId, String partnerName, SettlementStatement statement) {
    }

    /** An open dispute with the record it is about. */
    public record DisputeRow(Dispute dispute, String raisedBy, RecordRow record) {
    }

    public record RecordRow(SettlementRecord record, String debtor, String creditor) {
    }

    private final WebCallers callers;
    private final SettlementService settlement;
    private final DisputeService disputes;
    private final PartnerApi partners;
    private final WebConfig config;

    public SettlementDashboard(WebCallers callers, SettlementService settlement, DisputeService disputes, PartnerApi partners,
            WebConfig config) {
        this.disputes = disputes;
        this.callers = callers;
        this.settlement = settlement;
        this.partners = partners;
        this.config = config;
    }

    @GET
    public Uni<TemplateInstance> periods(@Context HttpHeaders headers, @RestQuery String resolved) {
        String notice = "accepted".equals(resolved) || "rejected".equals(resolved) ? resolved : null;
        return callers.page(headers, "settlement").flatMap(page -> periods(page, notice, List.of()));
    }

    @POST
    @Path("close")
    public Uni<Object> close(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String periodId) {
        return callers.submitted(headers, "settlement", csrf).flatMap(page -> {
            CloseSettlementPeriodInput input = new CloseSettlementPeriodInput();
            input.idempotencyKey = idempotencyKey;
            input.periodId = periodId;
            return settlement.close(page.caller(), input).flatMap(payload -> payload.userErrors().isEmpty()
                    ? Uni.createFrom().item(Response.seeOther(URI.create("/app/settlement/periods/" + periodId)).build())
                    : periods(page, null, payload.userErrors()).map(Object.class::cast));
        });
    }

    /** Accepts a dispute with the corrected amount, or rejects it, as {@code resolveDispute} does. */
    @POST
    @Path("disputes/resolve")
    public Uni<Object> resolve(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String idempotencyKey,
            @RestForm String disputeId, @RestForm String decision, @RestForm String adjustedAmount, @RestForm String note) {
        return callers.submitted(headers, "settlement", csrf).flatMap(page -> {
            ResolveDisputeInput input = new ResolveDisputeInput();
            input.idempotencyKey = idempotencyKey;
            input.disputeId = disputeId;
            input.accept = "accept".equals(decision);
            input.note = MemberPortal.blank(note) ? null : note.strip();
            try {
                input.adjustedAmount = MemberPortal.blank(adjustedAmount) ? null
                        : new java.math.BigDecimal(adjustedAmount.strip().replace(',', '.'));
            } catch (NumberFormatException malformed) {
                return periods(page, null, List.of(UserError.invalid("the corrected amount is not a number", "adjustedAmount")))
                        .map(Object.class::cast);
            }
            return disputes.resolve(page.caller(), input).flatMap(payload -> payload.userErrors().isEmpty()
                    ? Uni.createFrom().item(Response.seeOther(URI.create("/app/settlement?resolved="
                            + payload.dispute().status().name().toLowerCase(java.util.Locale.ROOT))).build())
                    : periods(page, null, payload.userErrors()).map(Object.class::cast));
        });
    }

    @GET
    @Path("periods/{id}")
    public Uni<TemplateInstance> period(@Context HttpHeaders headers, @RestPath String id) {
        UUID periodId = periodId(id);
        return callers.page(headers, "settlement").flatMap(page -> settlement.period(page.caller(), periodId)
                .map(found -> found.orElseThrow(NotFoundException::new))
                .flatMap(period -> Uni.combine().all()
                        .unis(settlement.statements(page.caller(), periodId, null), settlement.matrix(page.caller(), periodId))
                        .asTuple()
                        .map(both -> page.in(Templates.period(page, period, statementRows(both.getItem1()),
                                HeatMap.of(both.getItem2(), this::partnerName, page))))));
    }

    @GET
    @Path("periods/{id}/partners/{partnerId}")
    public Uni<TemplateInstance> records(@Context HttpHeaders headers, @RestPath String id, @RestPath String partnerId,
            @RestQuery String after) {
        UUID periodId = periodId(id);
        return callers.page(headers, "settlement").flatMap(page -> settlement.period(page.caller(), periodId)
                .map(found -> found.orElseThrow(NotFoundException::new))
                .flatMap(period -> settlement.records(page.caller(), periodId, partnerId, config.pageSize(),
                                MemberPortal.blank(after) ? null : after)
                        .map(found -> page.in(Templates.records(page, period, partnerName(partnerId), partnerId,
                                found.edges().stream().map(edge -> new RecordRow(edge.node(), partnerName(edge.node().debtorId()),
                                        partnerName(edge.node().creditorId()))).toList(),
                                found.pageInfo().hasNextPage() ? java.net.URLEncoder.encode(found.pageInfo().endCursor(),
                                        java.nio.charset.StandardCharsets.UTF_8) : null)))));
    }

    private Uni<TemplateInstance> periods(WebPage page, String notice, List<UserError> errors) {
        return settlement.periods(page.caller(), config.periodsShown(), null).flatMap(connection -> {
            List<SettlementPeriod> periods = connection.edges().stream().map(edge -> edge.node()).toList();
            List<SettlementPeriod> closed = periods.stream().filter(p -> p.status() == PeriodStatus.CLOSED)
                    .sorted(Comparator.comparing(SettlementPeriod::startsAt)).toList();
            Uni<List<List<SettlementStatement>>> statements = closed.isEmpty() ? Uni.createFrom().item(List.of())
                    : Multi.createFrom().iterable(closed)
                            .onItem().transformToUniAndConcatenate(p -> settlement.statements(page.caller(), UUID.fromString(p.id()), null))
                            .collect().asList();
            return Uni.combine().all().unis(statements, openDisputes(page)).asTuple()
                    .map(both -> page.in(Templates.periods(page, periods,
                            IssuedRedeemedChart.svg(closed, both.getItem1(), this::partnerName, page), both.getItem2(),
                            notice, errors)));
        });
    }

    private Uni<List<DisputeRow>> openDisputes(WebPage page) {
        return disputes.open(page.caller(), config.pageSize()).flatMap(open -> open.isEmpty() ? Uni.createFrom().item(List.of())
                : Multi.createFrom().iterable(open)
                        .onItem().transformToUniAndConcatenate(dispute -> settlement.record(page.caller(), dispute.recordId())
                                .map(record -> new DisputeRow(dispute, partnerName(dispute.raisedBy()), record.map(r ->
                                        new RecordRow(r, partnerName(r.debtorId()), partnerName(r.creditorId()))).orElse(null))))
                        .collect().asList());
    }

    private List<StatementRow> statementRows(List<SettlementStatement> statements) {
        return statements.stream().map(s -> new StatementRow(s.partnerId(), partnerName(s.partnerId()), s)).toList();
    }

    private String partnerName(String partnerId) {
        return partners.byId(partnerId).name();
    }

    private static UUID periodId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException();
        }
    }
}
