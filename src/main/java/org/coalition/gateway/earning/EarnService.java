package org.coalition.gateway.earning;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.campaign.BonusRules;
import org.coalition.gateway.campaign.CampaignBook;
import org.coalition.gateway.campaign.CampaignTypes.EarnBonus;
import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.EntryIds;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.LedgerMetrics;
import org.coalition.gateway.ledger.NewEntry;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.ledger.TransactionKind;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.PostedTransactions;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.settlement.SettlementRecorder;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tier.TierProgram;
import org.coalition.gateway.tier.TierPrograms;

/** Awards points for a purchase at the calling partner, under the contract version in force when it happened. */
@ApplicationScoped
public class EarnService {

    /**
     * Caller, claim, credit, entry with postings and lot, settlement record, the member's tier and its bonus, a
     * pending referral's rewards, and the bonuses of the partner's campaigns: one function call, one round trip, which
     * takes concurrent earns of the same caller as one set (V57, GroupCommit).
     */
    private static final String EARN_IN_ONE_CALL = "earn_points";

    private static final String GRANTED = """
            select g.entry_id, g.campaign_id, g.tier, g.club, g.referral, g.points, c.name, ch.name as challenge from bonus_grants g
            left join campaigns c on c.id = g.campaign_id
            left join challenges ch on ch.id = g.challenge_id
            where g.earn_entry_id = $1 and g.referral is distinct from 'REFERRER'
            -- the order the earn's own answer lists them in: tier, club, referral, campaigns, challenges
            order by case when g.tier is not null then 0 when g.club is not null then 1 when g.referral is not null then 2
                          when g.campaign_id is not null then 3 else 4 end, g.campaign_id::text, g.challenge_id::text
            """;

    /** Contract versions whose shared fields are kept; more than any coalition has, and a bound if contracts churn. */
    private static final int MAX_SHARED_VERSIONS = 256;

    static final BigDecimal MAX_PURCHASE_AMOUNT = new BigDecimal("10000000");
    static final int MAX_BASKET_LINES = 500;
    static final int MAX_REFERENCE_LENGTH = 128;

    private final MemberRepository members;
    private final PartnerDirectory partners;
    private final AccountBook accounts;
    private final PostedTransactions posted;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final CoalitionConfig config;
    private final SettlementRecorder settlement;
    private final LedgerMetrics ledgerMetrics;
    private final CampaignBook campaigns;
    private final TierPrograms tiers;
    private final Map<VersionOfPartner, String> sharedByVersion = new ConcurrentHashMap<>();

    public EarnService(PartnerDirectory partners, AccountBook accounts,
            PostedTransactions posted, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            CoalitionConfig config, SettlementRecorder settlement, LedgerMetrics ledgerMetrics, CampaignBook campaigns,
            TierPrograms tiers, MemberRepository members) {
        this.members = members;
        this.campaigns = campaigns;
        this.tiers = tiers;
        this.settlement = settlement;
        this.ledgerMetrics = ledgerMetrics;
        this.partners = partners;
        this.accounts = accounts;
        this.posted = posted;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.config = config;
    }

    @WithSpan
    public Uni<EarnPointsPayload> earn(Caller caller, EarnPointsInput input) {
        Tracing.tag(caller, "earnPoints");
        try {
            Earning earning = validate(caller, input, Instant.now());
            return idempotent.executeInSet(caller, fingerprints.of(caller, "earnPoints", input.idempotencyKey, input),
                            EARN_IN_ONE_CALL, earning.member().lockOrder(), sharedFields(earning),
                            (request, entryId) -> putFields(request, earning),
                            (row, entryId) -> posted(row, entryId, earning), this::replay)
                    .onFailure().transform(MemberRepository::businessFailureOf)
                    .onFailure(UserErrors::answerable)
                    .recoverWithItem(failure -> EarnPointsPayload.failed(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(EarnPointsPayload.failed(failure.errors()));
        }
    }

    /** A validated earn request: everything needed to post it without looking at the input again. */
    record Earning(PartnerContract contract, PartnerContract.Version version, MemberKey member, EarnPointsInput input,
            Instant occurredAt, EarnCalculator.Earned earned, List<CampaignBook.Candidate> bonuses, TierProgram tierProgram,
            UUID tierBonusEntryId, UUID referredBonusEntryId, UUID referrerBonusEntryId, UUID clubBonusEntryId) {
    }

    Earning validate(Caller caller, EarnPointsInput input, Instant now) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        errors.addAll(MemberKey.validate(input.member, "input", "member"));
        PartnerContract contract = partners.requireActive(caller.partnerId());
        // PostgreSQL keeps microseconds; truncating here makes a replayed payload equal to the first one.
        Instant occurredAt = (input.occurredAt == null ? now : input.occurredAt).truncatedTo(ChronoUnit.MICROS);
        if (occurredAt.isAfter(now.plus(config.clockSkewAllowance()))) {
            errors.add(UserError.invalid("occurredAt lies in the future", "input", "occurredAt"));
        }
        Optional<PartnerContract.Version> version = contract.versionAt(occurredAt);
        if (version.isEmpty()) {
            errors.add(UserError.of(ErrorCode.CONTRACT_INACTIVE, "No contract version was in force at occurredAt", "input", "occurredAt"));
        } else {
            errors.addAll(checkAmounts(input, version.get().earn().currency()));
        }
        if (input.partnerReference != null && input.partnerReference.length() > MAX_REFERENCE_LENGTH) {
            errors.add(UserError.invalid("partnerReference is at most " + MAX_REFERENCE_LENGTH + " characters", "input", "partnerReference"));
        }
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
        EarnCalculator.Earned earned = EarnCalculator.points(version.get().earn(), input.purchaseAmount, input.lines);
        List<CampaignBook.Candidate> bonuses = campaigns.candidates(contract.id(), new BonusRules.Basket(occurredAt,
                input.purchaseAmount, input.currency, basketLines(input), version.get().earn().pointsPerUnit()));
        return new Earning(contract, version.get(), MemberKey.from(input.member, "input", "member"), input, occurredAt, earned,
                bonuses, tiers.current(), EntryIds.next(), EntryIds.next(), EntryIds.next(), EntryIds.next());
    }

    private static List<BonusRules.Line> basketLines(EarnPointsInput input) {
        return input.lines == null ? List.of() : input.lines.stream().map(line -> new BonusRules.Line(line.category, line.amount)).toList();
    }

    private static List<UserError> checkAmounts(EarnPointsInput input, String contractCurrency) {
        List<UserError> errors = new ArrayList<>();
        if (!contractCurrency.equals(input.currency)) {
            errors.add(UserError.invalid("This partner earns in " + contractCurrency + ", not " + input.currency, "input", "currency"));
            return errors;
        }
        int fractionDigits = Currency.getInstance(contractCurrency).getDefaultFractionDigits();
        checkAmount(input.purchaseAmount, fractionDigits, errors, "input", "purchaseAmount");
        if (input.lines == null || input.lines.isEmpty()) {
            return errors;
        }
        if (input.lines.size() > MAX_BASKET_LINES) {
            errors.add(UserError.invalid("A basket has at most " + MAX_BASKET_LINES + " lines", "input", "lines"));
            return errors;
        }
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < input.lines.size(); i++) {
            BigDecimal amount = input.lines.get(i).amount;
            checkAmount(amount, fractionDigits, errors, "input", "lines", String.valueOf(i), "amount");
            total = total.add(amount);
        }
        if (errors.isEmpty() && total.compareTo(input.purchaseAmount) != 0) {
            errors.add(UserError.invalid("The lines add up to " + total.toPlainString() + ", not to purchaseAmount "
                    + input.purchaseAmount.toPlainString(), "input", "lines"));
        }
        return errors;
    }

    private static void checkAmount(BigDecimal amount, int fractionDigits, List<UserError> errors, String... path) {
        if (amount.signum() <= 0) {
            errors.add(UserError.invalid("Amounts must be greater than zero", path));
        } else if (amount.compareTo(MAX_PURCHASE_AMOUNT) > 0) {
            errors.add(UserError.invalid("Amounts are at most " + MAX_PURCHASE_AMOUNT.toPlainString(), path));
        } else if (amount.stripTrailingZeros().scale() > fractionDigits) {
            errors.add(UserError.invalid("Amounts have at most " + fractionDigits + " decimals in this currency", path));
        }
    }

    /**
     * An earn_points request's own fields besides its claim and entry id (V57's {@code earn_request}); the fields it
     * shares with the other earns of its contract version come once per batch ({@link #sharedFields}). An optional field
     * an earn leaves out is null, or the shared value where there is one (the campaigns' empty lists).
     */
    private JsonObject putFields(JsonObject request, Earning earning) {
        int points = earning.earned().points();
        String partnerId = earning.contract().id();
        EarnPointsInput input = earning.input();
        request.put("member_by", MemberRepository.keyKind(earning.member()))
                .put("member_ref", members.keyReference(earning.member()))
                .put("points", points)
                .put("purchase_amount", input.purchaseAmount.toPlainString())
                .put("occurred_at", earning.occurredAt().toString())
                .put("lot_expires_at", expiresAt(earning).toString())
                .put("tier_bonus_points", jsonArray(Arrays.stream(earning.tierProgram().bonusPoints(points))))
                .put("tier_entry", earning.tierBonusEntryId().toString())
                .put("referred_entry", earning.referredBonusEntryId().toString())
                .put("referrer_entry", earning.referrerBonusEntryId().toString())
                .put("club_entry", earning.clubBonusEntryId().toString());
        if (input.channel != null) {
            request.put("channel", input.channel.name());
        }
        if (input.partnerReference != null) {
            request.put("reference", input.partnerReference);
        }
        JournalWriter.putPostings(request, "accounts", "amounts", PostingTemplate.EARN.postings(points,
                accounts.accountsFor(AccountBook.MEMBER_ACCOUNT_IN_STATEMENT, partnerId)));
        SettlementRecorder.putRecords(request, points == 0 ? List.of()
                : List.of(settlement.issuanceFee(earning.version(), partnerId, points)));
        List<CampaignBook.Candidate> bonuses = earning.bonuses();
        if (!bonuses.isEmpty()) {
            request.put("bonus_campaigns", jsonArray(bonuses.stream().map(bonus -> bonus.campaign().id().toString())))
                    .put("bonus_points", jsonArray(bonuses.stream().map(CampaignBook.Candidate::points)))
                    .put("bonus_entries", jsonArray(bonuses.stream().map(bonus -> bonus.entryId().toString())));
        }
        return request;
    }

    /**
     * What every earn under one contract version shares (V63's {@code _context}): the partner and its accounts, the
     * version's currency and prices, the operator, the tier program, the referral terms. Sent once per batch rather
     * than once per earn, and made once per version: besides the version, all of it is read once at start-up (the
     * configuration, the tier program, the partner's accounts), and a contract whose file changed is reloaded as new
     * instances (PartnerDirectory keeps an unchanged set's), hence new entries.
     */
    private String sharedFields(Earning earning) {
        if (sharedByVersion.size() > MAX_SHARED_VERSIONS) {
            sharedByVersion.clear();
        }
        return sharedByVersion.computeIfAbsent(new VersionOfPartner(earning.contract().id(), earning.version()),
                key -> sharedFields(key.partnerId(), key.version(), earning.tierProgram()).encode());
    }

    private JsonObject sharedFields(String partnerId, PartnerContract.Version version, TierProgram program) {
        String operatorId = config.operator().partnerId();
        CoalitionConfig.Referrals referrals = config.referrals();
        JsonObject shared = new JsonObject()
                .put("partner", partnerId)
                .put("currency", version.earn().currency())
                .put("contract_version", version.number())
                .put("operator", operatorId)
                .put("issue_price", version.pricing().issuePrice().toPlainString())
                .put("fee_currency", version.settlement().currency())
                .put("bonus_campaigns", new JsonArray())
                .put("bonus_points", new JsonArray())
                .put("bonus_entries", new JsonArray())
                .put("tier_measure", program.measure().name())
                .put("tier_window_months", program.windowMonths())
                .put("tiers", jsonArray(program.tiers().stream().map(TierProgram.Tier::id)))
                .put("tier_thresholds", jsonArray(program.tiers().stream().map(TierProgram.Tier::threshold)))
                .put("tier_operator_funded", jsonArray(program.tiers().stream()
                        .map(tier -> tier.fundedBy() == TierProgram.Funder.OPERATOR)))
                .put("referral_minimum_points", Math.max(1, referrals.minimumQualifyingPoints()))
                .put("referred_bonus", referrals.referredPoints())
                .put("referrer_bonus", referrals.referrerPoints())
                .put("referral_operator_funded", !"EARNING_PARTNER".equals(referrals.fundedBy()));
        // one point's postings, for the bonuses the statement may grant on the partner's account or the operator's
        JournalWriter.putPostings(shared, "unit_accounts", "unit_amounts", PostingTemplate.BONUS.postings(1,
                accounts.accountsFor(AccountBook.MEMBER_ACCOUNT_IN_STATEMENT, partnerId)));
        return JournalWriter.putPostings(shared, "operator_unit_accounts", "operator_unit_amounts",
                PostingTemplate.BONUS.postings(1, accounts.accountsFor(AccountBook.MEMBER_ACCOUNT_IN_STATEMENT, operatorId)));
    }

    /** Keyed by the version's identity: its record's equality would hash every rule of it on every earn. */
    private record VersionOfPartner(String partnerId, PartnerContract.Version version) {
        @Override
        public boolean equals(Object other) {
            return other instanceof VersionOfPartner that && partnerId.equals(that.partnerId) && version == that.version;
        }

        @Override
        public int hashCode() {
            return 31 * partnerId.hashCode() + System.identityHashCode(version);
        }
    }

    private static JsonArray jsonArray(Stream<?> values) {
        return new JsonArray(values.map(Object.class::cast).toList());
    }

    private EarnPointsPayload posted(Row row, UUID entryId, Earning earning) {
        MemberAccount member = MemberAccount.from(row);
        NewEntry entry = entry(entryId, earning, member);
        ledgerMetrics.posted(entry);
        // No member id: a pseudonym is still personal data, and the entry id leads to the member for those who may look.
        Log.debugf("earn %s: %d points at %s", entryId, entry.points(), earning.contract().id());
        return EarnPointsPayload.posted(PointTransaction.posted(entry, row.getOffsetDateTime("posted_at").toInstant()),
                member.view(), granted(row, earning));
    }

    /**
     * The tier's bonus, then the campaign candidates the statement granted, with the points it granted (a per-member
     * cap or the end of a budget may have cut them).
     */
    private List<EarnBonus> granted(Row row, Earning earning) {
        List<EarnBonus> bonuses = new ArrayList<>();
        int tierBonus = row.getInteger("tier_bonus");
        if (tierBonus > 0) {
            TierProgram.Tier tier = earning.tierProgram().byId(row.getString("tier"));
            bonuses.add(new EarnBonus(null, tierReason(tier), tierBonus, earning.tierBonusEntryId().toString()));
            ledgerMetrics.bonusGranted(tier.fundedBy() == TierProgram.Funder.OPERATOR ? config.operator().partnerId()
                    : earning.contract().id(), tierBonus);
        }
        int clubBonus = row.getInteger("club_bonus");
        if (clubBonus > 0) {
            bonuses.add(new EarnBonus(null, clubReason(row.getBigDecimal("club_multiplier").toPlainString()), clubBonus,
                    earning.clubBonusEntryId().toString()));
        }
        int referralBonus = row.getInteger("referral_bonus");
        if (referralBonus > 0) {
            bonuses.add(new EarnBonus(null, REFERRAL_REASON, referralBonus, earning.referredBonusEntryId().toString()));
        }
        UUID[] campaignIds = row.getArrayOfUUIDs("granted_campaigns");
        Integer[] points = row.getArrayOfIntegers("granted_points");
        for (int i = 0; campaignIds != null && i < campaignIds.length; i++) {
            UUID campaignId = campaignIds[i];
            CampaignBook.Candidate candidate = earning.bonuses().stream()
                    .filter(bonus -> bonus.campaign().id().equals(campaignId)).findFirst().orElseThrow();
            bonuses.add(new EarnBonus(campaignId.toString(), candidate.campaign().name(), points[i], candidate.entryId().toString()));
            ledgerMetrics.bonusGranted(earning.contract().id(), points[i]);
        }
        String[] challenges = row.getArrayOfStrings("completed_names");
        Integer[] rewards = row.getArrayOfIntegers("completed_points");
        UUID[] entries = row.getArrayOfUUIDs("completed_entries");
        for (int i = 0; challenges != null && i < challenges.length; i++) {
            bonuses.add(new EarnBonus(null, challengeReason(challenges[i]), rewards[i], entries[i].toString()));
        }
        return bonuses;
    }

    static final String REFERRAL_REASON = "Welcome bonus: a friend referred you";

    static String clubReason(String multiplier) {
        return "Paid club: " + new BigDecimal(multiplier).stripTrailingZeros().toPlainString() + "x points";
    }

    static String challengeReason(String challengeName) {
        return "Challenge completed: " + challengeName;
    }

    static String tierReason(TierProgram.Tier tier) {
        return tier.name() + " tier: " + tier.earnMultiplier().stripTrailingZeros().toPlainString() + "x points";
    }

    private static Instant expiresAt(Earning earning) {
        return earning.occurredAt().atZone(ZoneOffset.UTC).plusMonths(earning.version().earn().validityMonths()).toInstant();
    }

    private NewEntry entry(UUID entryId, Earning earning, MemberAccount member) {
        int points = earning.earned().points();
        Optional<NewEntry.NewLot> lot = points == 0 ? Optional.empty()
                : Optional.of(new NewEntry.NewLot(earning.contract().id(), points, earning.occurredAt(), expiresAt(earning)));
        EarnPointsInput input = earning.input();
        return new NewEntry(entryId, TransactionKind.EARN, member.id(), earning.contract().id(), points,
                input.purchaseAmount, input.currency, input.channel, input.partnerReference, earning.occurredAt(), null,
                earning.version().number(),
                PostingTemplate.EARN.postings(points, accounts.accountsFor(member.accountId(), earning.contract().id())),
                lot, null);
    }

    private Uni<EarnPointsPayload> replay(SqlConnection connection, UUID entryId) {
        return posted.load(connection, entryId).flatMap(replayed -> connection.preparedQuery(GRANTED).execute(Tuple.of(entryId))
                .map(rows -> {
                    List<EarnBonus> bonuses = new ArrayList<>();
                    rows.forEach(row -> bonuses.add(new EarnBonus(
                            row.getUUID("campaign_id") == null ? null : row.getUUID("campaign_id").toString(),
                            row.getUUID("campaign_id") != null ? row.getString("name")
                                    : row.getString("tier") != null ? tierReason(tiers.current().byId(row.getString("tier")))
                                    : row.getString("club") != null ? clubReason(row.getString("club"))
                                    : row.getString("referral") != null ? REFERRAL_REASON
                                    : challengeReason(row.getString("challenge")),
                            row.getInteger("points"), row.getUUID("entry_id").toString())));
                    return EarnPointsPayload.posted(replayed.transaction(), replayed.member(), bonuses);
                }));
    }
}
