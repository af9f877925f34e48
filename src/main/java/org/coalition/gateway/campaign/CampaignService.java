package org.coalition.gateway.campaign;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.campaign.CampaignTypes.Campaign;
import org.coalition.gateway.campaign.CampaignTypes.CampaignPayload;
import org.coalition.gateway.campaign.CampaignTypes.CampaignRuleInput;
import org.coalition.gateway.campaign.CampaignTypes.CampaignStatus;
import org.coalition.gateway.campaign.CampaignTypes.CreateCampaignInput;
import org.coalition.gateway.campaign.CampaignTypes.SetCampaignStatusInput;
import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserError;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.tier.TierProgram;
import org.coalition.gateway.tier.TierPrograms;

/** A partner runs its own campaigns: create one with a rule, a window, a budget and a segment; pause, resume, end. */
@ApplicationScoped
public class CampaignService {

    static final int MAX_NAME_LENGTH = 120;
    static final int MAX_BUDGET_POINTS = 100_000_000;
    static final int MAX_BONUS_POINTS = 1_000_000;
    static final BigDecimal MAX_MULTIPLIER = BigDecimal.TEN;
    static final Duration MAX_DURATION = Duration.ofDays(366);
    static final int MAX_SEGMENT_DAYS = 3650;
    /** Budget rows per campaign at most: enough that 32 concurrent earns rarely meet on one. */
    static final int BUDGET_SLOTS = 16;
    /** A multiplier's bonus depends on the basket; slots are sized as if it were this. */
    static final int TYPICAL_MULTIPLIER_BONUS = 100;

    private static final String INSERT = """
            insert into campaigns (id, partner_id, name, rule_kind, category, multiplier, minimum_basket, bonus_points, currency,
                                   starts_at, ends_at, budget_points, per_member_cap_points, new_members_within_days,
                                   inactive_for_days, segment_tiers, segment_entry_tier, segment_paid_members)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            """;
    private static final String SLOTS = """
            insert into campaign_budget_slots (campaign_id, slot, remaining)
            select $1, g, $2 / $3 + case when g < $2 % $3 then 1 else 0 end from generate_series(0, $3 - 1) g
            """;
    private static final String ONE = "select " + Campaign.COLUMNS + " from campaigns c where c.id = $1 and c.partner_id = $2";
    private static final String OWN = "select " + Campaign.COLUMNS
            + " from campaigns c where c.partner_id = $1 order by c.created_at desc, c.id limit 200";
    private static final String SET_STATUS = """
            update campaigns set status = $3, updated_at = now() where id = $1 and partner_id = $2 and status <> 'ENDED'
            """;

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final PartnerDirectory partners;
    private final CampaignBook book;
    private final TierPrograms tiers;

    public CampaignService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            PartnerDirectory partners, CampaignBook book, TierPrograms tiers) {
        this.tiers = tiers;
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.partners = partners;
        this.book = book;
    }

    public Uni<List<Campaign>> campaigns(Caller caller) {
        return sessions.inTransaction(caller, connection -> connection.preparedQuery(OWN).execute(Tuple.of(caller.partnerId()))
                .map(rows -> rows.stream().map(Campaign::from).toList()));
    }

    public Uni<CampaignPayload> create(Caller caller, CreateCampaignInput input) {
        return UserErrors.answered(() -> {
            PartnerContract contract = partners.requireActive(caller.partnerId());
            validate(input, contract, tiers.current(), Instant.now());
            return idempotent.execute(caller, fingerprints.of(caller, "createCampaign", input.idempotencyKey, input),
                            (connection, id) -> insert(connection, caller, input, id).flatMap(ignored -> campaign(connection, caller, id)),
                            (connection, id) -> campaign(connection, caller, id))
                    .call(ignored -> book.reload())
                    .map(CampaignPayload::of);
        }, CampaignPayload::failed);
    }

    public Uni<CampaignPayload> setStatus(Caller caller, SetCampaignStatusInput input) {
        return UserErrors.answered(() -> {
            partners.requireActive(caller.partnerId());
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID id = campaignId(input.id);
            return idempotent.execute(caller, fingerprints.of(caller, "setCampaignStatus", input.idempotencyKey, input),
                            (connection, ignored) -> connection.preparedQuery(SET_STATUS)
                                    .execute(Tuple.of(id, caller.partnerId(), input.status.name()))
                                    .flatMap(updated -> campaign(connection, caller, id).invoke(campaign -> {
                                        if (updated.rowCount() == 0) {
                                            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "An ended campaign stays ended",
                                                    "input", "status");
                                        }
                                    })),
                            (connection, ignored) -> campaign(connection, caller, id))
                    .call(ignored -> book.reload())
                    .map(CampaignPayload::of);
        }, CampaignPayload::failed);
    }

    private Uni<Void> insert(SqlConnection connection, Caller caller, CreateCampaignInput input, UUID id) {
        CampaignRuleInput rule = input.rule;
        Tuple campaign = Tuple.tuple().addUUID(id).addString(caller.partnerId()).addString(input.name.strip())
                .addString(rule.kind.name()).addString(rule.category).addBigDecimal(rule.multiplier)
                .addBigDecimal(rule.minimumBasket).addInteger(rule.bonusPoints).addString(input.currency)
                .addOffsetDateTime(input.startsAt.atOffset(java.time.ZoneOffset.UTC))
                .addOffsetDateTime(input.endsAt.atOffset(java.time.ZoneOffset.UTC)).addInteger(input.budgetPoints)
                .addInteger(input.perMemberCapPoints)
                .addInteger(input.segment == null ? null : input.segment.newMembersWithinDays)
                .addInteger(input.segment == null ? null : input.segment.inactiveForDays)
                .addArrayOfString(segmentTiers(input))
                .addString(segmentTiers(input) == null ? null : tiers.current().lowest().id())
                .addBoolean(input.segment == null ? null : input.segment.paidMembers);
        int slots = budgetSlots(input.budgetPoints, rule.bonusPoints == null ? TYPICAL_MULTIPLIER_BONUS : rule.bonusPoints);
        return connection.preparedQuery(INSERT).execute(campaign)
                .flatMap(ignored -> connection.preparedQuery(SLOTS).execute(Tuple.of(id, input.budgetPoints, slots)))
                .replaceWithVoid();
    }

    /**
     * Enough slots that concurrent earns rarely queue on one, few enough that each holds at least eight bonuses: a
     * bonus takes its points from one slot, and only the last bonuses of a budget come out partial.
     */
    static int budgetSlots(int budgetPoints, int bonusPoints) {
        return Math.max(1, Math.min(BUDGET_SLOTS, budgetPoints / (8 * Math.max(1, bonusPoints))));
    }

    private static Uni<Campaign> campaign(SqlConnection connection, Caller caller, UUID id) {
        return connection.preparedQuery(ONE).execute(Tuple.of(id, caller.partnerId())).map(rows -> {
            if (rows.rowCount() == 0) {
                throw notFound();
            }
            return Campaign.from(rows.iterator().next());
        });
    }

    private static String[] segmentTiers(CreateCampaignInput input) {
        return input.segment == null || input.segment.tiers == null ? null : input.segment.tiers.stream().distinct().toArray(String[]::new);
    }

    static void validate(CreateCampaignInput input, PartnerContract contract, TierProgram program, Instant now) {
        List<UserError> errors = new ArrayList<>();
        IdempotencyKeyRule.check(input.idempotencyKey).ifPresent(errors::add);
        if (input.name == null || input.name.isBlank() || input.name.length() > MAX_NAME_LENGTH) {
            errors.add(UserError.invalid("name is 1 to " + MAX_NAME_LENGTH + " characters", "input", "name"));
        }
        errors.addAll(ruleProblems(input.rule));
        Optional<String> earnCurrency = contract.versionAt(now).map(version -> version.earn().currency());
        if (earnCurrency.isEmpty() || !earnCurrency.get().equals(input.currency)) {
            errors.add(UserError.invalid("This partner earns in " + earnCurrency.orElse("no currency") + ", not " + input.currency,
                    "input", "currency"));
        }
        if (!input.endsAt.isAfter(input.startsAt) || !input.endsAt.isAfter(now)) {
            errors.add(UserError.invalid("endsAt must come after startsAt and lie in the future", "input", "endsAt"));
        } else if (Duration.between(input.startsAt, input.endsAt).compareTo(MAX_DURATION) > 0) {
            errors.add(UserError.invalid("A campaign runs for at most 366 days", "input", "endsAt"));
        }
        if (input.budgetPoints <= 0 || input.budgetPoints > MAX_BUDGET_POINTS) {
            errors.add(UserError.invalid("budgetPoints is 1 to " + MAX_BUDGET_POINTS, "input", "budgetPoints"));
        }
        if (input.perMemberCapPoints != null && input.perMemberCapPoints <= 0) {
            errors.add(UserError.invalid("perMemberCapPoints must be greater than zero", "input", "perMemberCapPoints"));
        }
        if (input.segment != null) {
            checkDays(input.segment.newMembersWithinDays, errors, "newMembersWithinDays");
            checkDays(input.segment.inactiveForDays, errors, "inactiveForDays");
            checkTiers(input.segment.tiers, program, errors);
        }
        if (!errors.isEmpty()) {
            throw new BusinessFailure(errors);
        }
    }

    private static List<UserError> ruleProblems(CampaignRuleInput rule) {
        List<UserError> errors = new ArrayList<>();
        switch (rule.kind) {
            case CATEGORY_MULTIPLIER -> {
                if (rule.category == null || rule.category.isBlank() || rule.category.length() > 64) {
                    errors.add(UserError.invalid("A category multiplier needs a category of 1 to 64 characters", "input", "rule", "category"));
                }
                if (rule.multiplier == null || rule.multiplier.compareTo(BigDecimal.ONE) <= 0 || rule.multiplier.compareTo(MAX_MULTIPLIER) > 0
                        || rule.multiplier.stripTrailingZeros().scale() > 2) {
                    errors.add(UserError.invalid("multiplier is more than 1 and at most 10, with at most 2 decimals", "input", "rule", "multiplier"));
                }
            }
            case BASKET_BONUS -> {
                if (rule.minimumBasket == null || rule.minimumBasket.signum() <= 0) {
                    errors.add(UserError.invalid("A basket bonus needs a minimumBasket greater than zero", "input", "rule", "minimumBasket"));
                }
                checkBonusPoints(rule, errors);
            }
            case FIRST_VISIT_BONUS -> checkBonusPoints(rule, errors);
        }
        return errors;
    }

    private static void checkBonusPoints(CampaignRuleInput rule, List<UserError> errors) {
        if (rule.bonusPoints == null || rule.bonusPoints <= 0 || rule.bonusPoints > MAX_BONUS_POINTS) {
            errors.add(UserError.invalid("bonusPoints is 1 to " + MAX_BONUS_POINTS, "input", "rule", "bonusPoints"));
        }
    }

    private static void checkDays(Integer days, List<UserError> errors, String field) {
        if (days != null && (days <= 0 || days > MAX_SEGMENT_DAYS)) {
            errors.add(UserError.invalid(field + " is 1 to " + MAX_SEGMENT_DAYS, "input", "segment", field));
        }
    }

    private static void checkTiers(List<String> segmentTiers, TierProgram program, List<UserError> errors) {
        if (segmentTiers == null) {
            return;
        }
        List<String> known = program.tiers().stream().map(TierProgram.Tier::id).toList();
        if (segmentTiers.isEmpty() || !known.containsAll(segmentTiers)) {
            errors.add(UserError.invalid("tiers names one or more of the program's tiers: " + String.join(", ", known),
                    "input", "segment", "tiers"));
        }
    }

    private static UUID campaignId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    private static BusinessFailure notFound() {
        return BusinessFailure.of(ErrorCode.CAMPAIGN_NOT_FOUND, "No such campaign of the calling partner", "input", "id");
    }
}
