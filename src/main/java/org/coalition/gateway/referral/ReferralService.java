package org.coalition.gateway.referral;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.referral.ReferralTypes.ApplyReferralCodeInput;
import org.coalition.gateway.referral.ReferralTypes.ApplyReferralCodePayload;
import org.coalition.gateway.referral.ReferralTypes.ReferralCode;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Members refer friends: each member has a code; a new member applies a friend's code before their first earn,
 * and that member's first qualifying earn pays both (SQL {@code referral_reward}, inside the earn's statement).
 * No self-referral, no loops, at most {@code coalition.referrals.max-referrals-per-member} friends per member.
 */
@ApplicationScoped
public class ReferralService {

    /** Crockford's base 32 without I, L, O, U: nothing a member can misread on a receipt. */
    private static final char[] CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final int CODE_LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String ME = "select coalition_member() as id";
    private static final String ASSIGN_CODE = """
            insert into referral_codes (member_id, code) values ($1, $2) on conflict do nothing
            """;
    private static final String CODE = """
            select c.code, referral_count($1) as referred,
                   (select count(*) from referrals r where r.referrer_id = $1 and r.status = 'REWARDED') as rewarded
            from referral_codes c where c.member_id = $1
            """;
    private static final String LOCK_MEMBERS = "select id from members where id = any($1) order by id for update";
    private static final String CHECKS = """
            select referral_code_owner($2) as owner,
                   exists (select 1 from referrals where referred_id = $1) as referred,
                   exists (select 1 from journal_entries where member_id = $1 and kind = 'EARN') as earned
            """;
    private static final String LOOP_AND_COUNT = "select referral_would_loop($1, $2) as loops, referral_count($2) as referred";
    private static final String REFER = "insert into referrals (referred_id, referrer_id) values ($1, $2)";

    private final TenantSessions sessions;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final CoalitionConfig.Referrals program;

    public ReferralService(TenantSessions sessions, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            CoalitionConfig config) {
        this.sessions = sessions;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.program = config.referrals();
    }

    /** The member's code, assigned on first asking. */
    public Uni<ReferralCode> code(Caller member) {
        return sessions.inTransaction(member, connection -> me(connection)
                .flatMap(id -> connection.preparedQuery(ASSIGN_CODE).execute(Tuple.of(id, newCode()))
                        .flatMap(ignored -> connection.preparedQuery(CODE).execute(Tuple.of(id))))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        // the random code was taken by another member: the next asking draws another
                        throw BusinessFailure.of(ErrorCode.SERVICE_UNAVAILABLE, "Try again");
                    }
                    Row row = rows.iterator().next();
                    int referred = row.getInteger("referred");
                    return new ReferralCode(row.getString("code"), referred, row.getLong("rewarded").intValue(),
                            Math.max(0, program.maxReferralsPerMember() - referred), program.referrerPoints(), program.referredPoints());
                }));
    }

    public Uni<ApplyReferralCodePayload> apply(Caller member, ApplyReferralCodeInput input) {
        return UserErrors.answered(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            if (input.code == null || input.code.isBlank() || input.code.length() > 32) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "No such referral code", "input", "code");
            }
            String code = input.code.strip().toUpperCase(Locale.ROOT);
            return idempotent.execute(member, fingerprints.of(member, "applyReferralCode", input.idempotencyKey, input),
                            (connection, ignored) -> me(connection).flatMap(id -> refer(connection, id, code)),
                            (connection, ignored) -> Uni.createFrom().voidItem())
                    .map(ignored -> ApplyReferralCodePayload.ok());
        }, ApplyReferralCodePayload::failed);
    }

    private Uni<Void> refer(SqlConnection connection, UUID me, String code) {
        return connection.preparedQuery(CHECKS).execute(Tuple.of(me, code)).flatMap(rows -> {
            Row checks = rows.iterator().next();
            UUID owner = checks.getUUID("owner");
            if (owner == null) {
                throw BusinessFailure.of(ErrorCode.INVALID_INPUT, "No such referral code", "input", "code");
            }
            if (owner.equals(me)) {
                throw BusinessFailure.of(ErrorCode.SELF_REFERRAL, "This is your own code", "input", "code");
            }
            // both rows locked, in id order like every other path, before the checks that must not change under us
            return connection.preparedQuery(LOCK_MEMBERS).execute(Tuple.of((Object) new UUID[] { me, owner }))
                    .flatMap(locked -> connection.preparedQuery(CHECKS).execute(Tuple.of(me, code)))
                    .flatMap(again -> {
                        Row now = again.iterator().next();
                        if (now.getBoolean("referred")) {
                            throw BusinessFailure.of(ErrorCode.ALREADY_REFERRED, "You already applied a friend's code", "input", "code");
                        }
                        if (now.getBoolean("earned")) {
                            throw BusinessFailure.of(ErrorCode.NOT_A_NEW_MEMBER, "Codes are for members who have not earned yet",
                                    "input", "code");
                        }
                        return connection.preparedQuery(LOOP_AND_COUNT).execute(Tuple.of(me, owner));
                    })
                    .flatMap(loopAndCount -> {
                        Row row = loopAndCount.iterator().next();
                        if (row.getBoolean("loops")) {
                            throw BusinessFailure.of(ErrorCode.REFERRAL_LOOP, "This friend was referred by you", "input", "code");
                        }
                        if (row.getInteger("referred") >= program.maxReferralsPerMember()) {
                            throw BusinessFailure.of(ErrorCode.REFERRAL_CAP_REACHED, "This code has been used as often as it may",
                                    "input", "code");
                        }
                        return connection.preparedQuery(REFER).execute(Tuple.of(me, owner)).replaceWithVoid();
                    });
        });
    }

    private static Uni<UUID> me(SqlConnection connection) {
        return connection.query(ME).execute().map(rows -> {
            UUID id = rows.iterator().next().getUUID("id");
            if (id == null) {
                throw BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "Claim your card first (claimMembership)");
            }
            return id;
        });
    }

    static String newCode() {
        char[] code = new char[CODE_LENGTH];
        for (int i = 0; i < CODE_LENGTH; i++) {
            code[i] = CODE_ALPHABET[RANDOM.nextInt(CODE_ALPHABET.length)];
        }
        return new String(code);
    }
}
