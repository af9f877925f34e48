package org.coalition.gateway.privacy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.privacy.PrivacyTypes.Consent;
import org.coalition.gateway.privacy.PrivacyTypes.ConsentPayload;
import org.coalition.gateway.privacy.PrivacyTypes.ConsentPurpose;
import org.coalition.gateway.privacy.PrivacyTypes.RecordConsentInput;
import org.coalition.gateway.privacy.PrivacyTypes.SetConsentInput;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Consent per member and purpose: given and withdrawn by the member, or recorded by a partner that collected it at
 * its till. Opt-in: no row is no consent. Every change is kept with when, where and who (art. 7(1)); the current
 * choice is what campaign targeting, offers and analytics ask {@code member_consents_to} (V27) about, so a
 * withdrawal counts from its commit on.
 */
@ApplicationScoped
public class ConsentService {

    /** How far back a partner may date a consent it collected (a till that was offline). */
    static final Duration MAX_RECORDING_DELAY = Duration.ofDays(30);
    static final String MEMBER_RECORDER = "MEMBER";

    private static final String CHANGE = """
            with changed as (
                insert into member_consents (member_id, purpose, partner_id, granted, changed_at, channel, recorded_by)
                values ($1, $2, $3, $4, $5, $6, $7)
                on conflict (member_id, purpose, partner_id) do update
                set granted = excluded.granted, changed_at = excluded.changed_at, channel = excluded.channel,
                    recorded_by = excluded.recorded_by
                where member_consents.changed_at <= excluded.changed_at
                returning member_id
            ), logged as (
                insert into member_consent_events (member_id, purpose, partner_id, granted, given_at, channel, recorded_by)
                values ($1, $2, $3, $4, $5, $6, $7)
            )
            update members set last_active_at = greatest(last_active_at, now()) where id = $1
            """;
    private static final String CURRENT = "select " + Consent.COLUMNS
            + " from member_consents where member_id = $1 order by purpose, partner_id";

    private final MemberRepository members;
    private final PartnerDirectory partners;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final TenantSessions sessions;
    private final CoalitionConfig config;

    public ConsentService(MemberRepository members, PartnerDirectory partners, IdempotentTransactions idempotent,
            RequestFingerprints fingerprints, TenantSessions sessions, CoalitionConfig config) {
        this.members = members;
        this.partners = partners;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.sessions = sessions;
        this.config = config;
    }

    /** The member's own choice, in the app or on the web. */
    @WithSpan
    public Uni<ConsentPayload> set(Caller member, SetConsentInput input) {
        Tracing.tag(member, "setConsent");
        return UserErrors.answered(() -> {
            List<UserError> errors = new ArrayList<>();
            IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
            if (input.purpose == ConsentPurpose.MARKETING_CONTACT) {
                if (input.partnerId == null || partners.byId(input.partnerId).isEmpty()) {
                    errors.add(UserError.of(ErrorCode.PARTNER_NOT_FOUND, "MARKETING_CONTACT needs the partnerId of a partner",
                            "input", "partnerId"));
                }
            } else if (input.partnerId != null) {
                errors.add(UserError.invalid("partnerId is only for MARKETING_CONTACT", "input", "partnerId"));
            }
            if (!errors.isEmpty()) {
                throw new BusinessFailure(errors);
            }
            Change change = new Change(input.purpose, input.purpose == ConsentPurpose.MARKETING_CONTACT ? input.partnerId : "",
                    input.granted, Instant.now().truncatedTo(ChronoUnit.MICROS), input.channel == null ? Channel.APP : input.channel,
                    MEMBER_RECORDER);
            return idempotent.execute(member, fingerprints.of(member, "setConsent", input.idempotencyKey, input),
                            (connection, ignored) -> memberOf(connection, new MemberKey.BySubject(member.subject()))
                                    .flatMap(found -> change(connection, member, found.id(), change)),
                            (connection, ignored) -> memberOf(connection, new MemberKey.BySubject(member.subject()))
                                    .flatMap(found -> current(connection, member, found.id())))
                    .map(ConsentPayload::of);
        }, ConsentPayload::failed);
    }

    /** A consent a partner collected at its till; a partner records marketing contact for itself only. */
    @WithSpan
    public Uni<ConsentPayload> record(Caller partner, RecordConsentInput input) {
        Tracing.tag(partner, "recordConsent");
        return UserErrors.answered(() -> {
            partners.requireActive(partner.partnerId());
            IdempotencyKeyRule.require(input.idempotencyKey);
            MemberKey key = MemberKey.from(input.member, "input", "member");
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant givenAt = input.givenAt == null ? now : input.givenAt.truncatedTo(ChronoUnit.MICROS);
            if (givenAt.isAfter(now.plus(config.clockSkewAllowance())) || givenAt.isBefore(now.minus(MAX_RECORDING_DELAY))) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "givenAt must lie within the last "
                        + MAX_RECORDING_DELAY.toDays() + " days", "input", "givenAt");
            }
            Change change = new Change(input.purpose, input.purpose == ConsentPurpose.MARKETING_CONTACT ? partner.partnerId() : "",
                    input.granted, givenAt, input.channel, partner.partnerId());
            return idempotent.execute(partner, fingerprints.of(partner, "recordConsent", input.idempotencyKey, input),
                            (connection, ignored) -> memberOf(connection, key).flatMap(found -> change(connection, partner, found.id(), change)),
                            (connection, ignored) -> memberOf(connection, key).flatMap(found -> current(connection, partner, found.id())))
                    .map(ConsentPayload::of);
        }, ConsentPayload::failed);
    }

    /** The member's current choices (the member, or an operator). */
    public Uni<List<Consent>> current(UUID memberId) {
        return sessions.asSystem(connection -> connection.preparedQuery(CURRENT).execute(Tuple.of(memberId)))
                .map(ConsentService::listed);
    }

    private static List<Consent> listed(Iterable<io.vertx.mutiny.sqlclient.Row> rows) {
        List<Consent> consents = new ArrayList<>();
        rows.forEach(row -> consents.add(Consent.from(row)));
        return consents;
    }

    private record Change(ConsentPurpose purpose, String partnerId, boolean granted, Instant givenAt, Channel channel,
            String recordedBy) {
    }

    private Uni<MemberAccount> memberOf(SqlConnection connection, MemberKey key) {
        return members.find(connection, key).map(found -> found.orElseThrow(() -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND,
                "No member has this id or card number, or this login has not claimed a card", "input", "member")));
    }

    private Uni<List<Consent>> change(SqlConnection connection, Caller caller, UUID memberId, Change change) {
        return sessions.continueAsSystem(connection, caller)
                .flatMap(ignored -> connection.preparedQuery(CHANGE).execute(Tuple.from(List.of(memberId, change.purpose().name(),
                        change.partnerId(), change.granted(), change.givenAt().atOffset(ZoneOffset.UTC), change.channel().name(),
                        change.recordedBy()))))
                .flatMap(ignored -> current(connection, caller, memberId));
    }

    private Uni<List<Consent>> current(SqlConnection connection, Caller caller, UUID memberId) {
        return sessions.continueAsSystem(connection, caller)
                .flatMap(ignored -> connection.preparedQuery(CURRENT).execute(Tuple.of(memberId)))
                .map(ConsentService::listed);
    }
}
