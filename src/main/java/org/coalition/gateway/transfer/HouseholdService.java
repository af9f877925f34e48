package org.coalition.gateway.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.idempotency.IdempotencyKeyRule;
import org.coalition.gateway.idempotency.IdempotentTransactions;
import org.coalition.gateway.idempotency.RequestFingerprints;
import org.coalition.gateway.member.CardTokens;
import org.coalition.gateway.member.MemberKey;
import org.coalition.gateway.member.MemberRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.operations.Tracing;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.ErrorCode;
import org.coalition.gateway.shared.UserErrors;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;
import org.coalition.gateway.transfer.TransferTypes.Household;
import org.coalition.gateway.transfer.TransferTypes.HouseholdInvitation;
import org.coalition.gateway.transfer.TransferTypes.HouseholdMember;
import org.coalition.gateway.transfer.TransferTypes.HouseholdPayload;
import org.coalition.gateway.transfer.TransferTypes.InvitationPayload;
import org.coalition.gateway.transfer.TransferTypes.MyHousehold;

/**
 * Households: members who pool points. Joining is the standing consent to send and receive points among its
 * members at once. Every operation runs as the calling member; row-level security shows a member only their own
 * household and the invitations they sent or received (V17).
 */
@ApplicationScoped
public class HouseholdService {

    private static final String MY_HOUSEHOLD = "select coalition_member_household() as id";
    private static final String MEMBERS = """
            select m.card_number, h.joined_at from household_members h join members m on m.id = h.member_id
            where h.household_id = $1 order by h.joined_at, m.card_number
            """;

    private final MemberRepository members;
    private final IdempotentTransactions idempotent;
    private final RequestFingerprints fingerprints;
    private final TenantSessions sessions;
    private final int maxMembers;

    public HouseholdService(MemberRepository members, IdempotentTransactions idempotent, RequestFingerprints fingerprints,
            TenantSessions sessions, CoalitionConfig config) {
        this.members = members;
        this.idempotent = idempotent;
        this.fingerprints = fingerprints;
        this.sessions = sessions;
        this.maxMembers = config.transfers().maxHouseholdMembers();
    }

    @WithSpan
    public Uni<HouseholdPayload> create(Caller caller, TransferTypes.CreateHouseholdInput input) {
        return household(caller, "createHousehold", input.idempotencyKey, input,
                (connection, householdId) -> lockCaller(connection, caller)
                        .call(me -> notInAHousehold(connection))
                        .call(me -> connection.preparedQuery("insert into households (id, created_by) values ($1, $2)")
                                .execute(Tuple.of(householdId, me.id())))
                        .call(me -> connection.preparedQuery("insert into household_members (member_id, household_id) values ($1, $2)")
                                .execute(Tuple.of(me.id(), householdId)))
                        .flatMap(me -> view(connection)));
    }

    @WithSpan
    public Uni<InvitationPayload> invite(Caller caller, TransferTypes.InviteInput input) {
        Tracing.tag(caller, "inviteToHousehold");
        return guarded(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            return idempotent.execute(caller, fingerprints.of(caller, "inviteToHousehold", input.idempotencyKey, input),
                    (connection, invitationId) -> lockCaller(connection, caller)
                            .flatMap(me -> householdOf(connection).flatMap(household -> members
                                    .find(connection, new MemberKey.ByCard(input.cardNumber))
                                    .map(found -> found.orElseThrow(() -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND,
                                            "No member has this card number", "input", "cardNumber")))
                                    .call(invitee -> inviteeMayJoin(connection, me, invitee, household))
                                    .call(invitee -> connection.preparedQuery("""
                                                    insert into household_invitations (id, household_id, invitee_id, invited_by, status)
                                                    values ($1, $2, $3, $4, 'PENDING')
                                                    on conflict (household_id, invitee_id) where status = 'PENDING' do nothing
                                                    """)
                                            .execute(Tuple.of(invitationId, household, invitee.id(), me.id())))
                                    .flatMap(invitee -> pendingInvitation(connection, household, invitee.id()))))
                            .map(InvitationPayload::ok),
                    (connection, invitationId) -> invitation(connection, invitationId).map(InvitationPayload::ok));
        }, InvitationPayload::failed);
    }

    @WithSpan
    public Uni<HouseholdPayload> join(Caller caller, TransferTypes.InvitationAnswerInput input) {
        UUID invitationId;
        try {
            invitationId = parseId(input.invitationId, "invitationId");
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(HouseholdPayload.failed(failure.errors()));
        }
        return household(caller, "joinHousehold", input.idempotencyKey, input,
                (connection, ignored) -> lockCaller(connection, caller)
                        .call(me -> notInAHousehold(connection))
                        .flatMap(me -> answer(connection, invitationId, me, "ACCEPTED")
                                .call(household -> connection.preparedQuery("select id from households where id = $1 for update")
                                        .execute(Tuple.of(household)))
                                .call(household -> connection
                                        .preparedQuery("insert into household_members (member_id, household_id) values ($1, $2)")
                                        .execute(Tuple.of(me.id(), household)))
                                // counted once the member is in, so that row-level security shows the whole household;
                                // too many rolls it all back (the household row's lock queues concurrent joins)
                                .call(household -> connection.preparedQuery("select count(*) as n from household_members where household_id = $1")
                                        .execute(Tuple.of(household))
                                        .invoke(rows -> {
                                            if (rows.iterator().next().getLong("n") > maxMembers) {
                                                throw BusinessFailure.of(ErrorCode.HOUSEHOLD_FULL,
                                                        "A household has at most " + maxMembers + " members", "input", "invitationId");
                                            }
                                        })))
                        .flatMap(household -> view(connection)));
    }

    @WithSpan
    public Uni<InvitationPayload> decline(Caller caller, TransferTypes.InvitationAnswerInput input) {
        Tracing.tag(caller, "declineHouseholdInvitation");
        return guarded(() -> {
            IdempotencyKeyRule.require(input.idempotencyKey);
            UUID invitationId = parseId(input.invitationId, "invitationId");
            return idempotent.execute(caller, fingerprints.of(caller, "declineHouseholdInvitation", input.idempotencyKey, input),
                    (connection, ignored) -> lockCaller(connection, caller)
                            .flatMap(me -> answer(connection, invitationId, me, "DECLINED"))
                            .flatMap(household -> invitation(connection, invitationId)).map(InvitationPayload::ok),
                    (connection, ignored) -> invitation(connection, invitationId).map(InvitationPayload::ok));
        }, InvitationPayload::failed);
    }

    @WithSpan
    public Uni<HouseholdPayload> leave(Caller caller, TransferTypes.LeaveHouseholdInput input) {
        return household(caller, "leaveHousehold", input.idempotencyKey, input,
                (connection, ignored) -> lockCaller(connection, caller)
                        .flatMap(me -> connection.preparedQuery("delete from household_members where member_id = $1")
                                .execute(Tuple.of(me.id())))
                        .invoke(deleted -> {
                            if (deleted.rowCount() == 0) {
                                throw BusinessFailure.of(ErrorCode.HOUSEHOLD_NOT_FOUND, "You belong to no household");
                            }
                        })
                        .map(deleted -> (Household) null));
    }

    /** The caller's household, its pending invitations, and the invitations the caller received. */
    public Uni<MyHousehold> mine(Caller caller) {
        return sessions.inTransaction(caller, connection -> lockFree(connection, caller)
                .flatMap(me -> view(connection).flatMap(household -> connection
                        .preparedQuery(HouseholdInvitation.SELECT + " where i.invitee_id = $1 and i.status = 'PENDING' order by i.created_at")
                        .execute(Tuple.of(me.id()))
                        .map(rows -> new MyHousehold(household, invitations(rows))))));
    }

    private Uni<HouseholdPayload> household(Caller caller, String operation, String key, Object input,
            java.util.function.BiFunction<SqlConnection, UUID, Uni<Household>> firstTime) {
        Tracing.tag(caller, operation);
        return guarded(() -> {
            IdempotencyKeyRule.require(key);
            return idempotent.execute(caller, fingerprints.of(caller, operation, key, input),
                    (connection, id) -> firstTime.apply(connection, id).map(HouseholdPayload::ok),
                    (connection, id) -> view(connection).map(HouseholdPayload::ok));
        }, HouseholdPayload::failed);
    }

    /** Runs a mutation and answers its business failures (and bad input) as userErrors, never as an exception. */
    static <P> Uni<P> guarded(java.util.function.Supplier<Uni<P>> mutation,
            java.util.function.Function<List<org.coalition.gateway.shared.UserError>, P> failed) {
        try {
            return mutation.get().onFailure(UserErrors::answerable).recoverWithItem(failure -> failed.apply(UserErrors.of(failure)));
        } catch (BusinessFailure failure) {
            return Uni.createFrom().item(failed.apply(failure.errors()));
        }
    }

    static UUID parseId(String id, String field) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw BusinessFailure.of(ErrorCode.INVALID_INPUT, field + " is not an id", "input", field);
        }
    }

    /** The calling member's row, locked: one household change per member at a time. */
    static Uni<MemberAccount> lockCaller(SqlConnection connection, Caller caller) {
        return connection.preparedQuery("select id, card_number, account_id, balance, held, enrolled_at from members where subject = $1 for update")
                .execute(Tuple.of(caller.subject()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "Claim your card with claimMembership first");
                    }
                    return MemberAccount.from(rows.iterator().next());
                });
    }

    private Uni<MemberAccount> lockFree(SqlConnection connection, Caller caller) {
        return members.find(connection, new MemberKey.BySubject(caller.subject())).map(found -> found.orElseThrow(
                () -> BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "Claim your card with claimMembership first")));
    }

    private static Uni<Optional<UUID>> currentHousehold(SqlConnection connection) {
        return connection.query(MY_HOUSEHOLD).execute().map(rows -> Optional.ofNullable(rows.iterator().next().getUUID("id")));
    }

    private static Uni<Void> notInAHousehold(SqlConnection connection) {
        return currentHousehold(connection).invoke(household -> {
            if (household.isPresent()) {
                throw BusinessFailure.of(ErrorCode.ALREADY_IN_HOUSEHOLD, "You already belong to a household; leave it first");
            }
        }).replaceWithVoid();
    }

    private static Uni<UUID> householdOf(SqlConnection connection) {
        return currentHousehold(connection).map(household -> household.orElseThrow(
                () -> BusinessFailure.of(ErrorCode.HOUSEHOLD_NOT_FOUND, "Create a household first")));
    }

    private static Uni<Void> inviteeMayJoin(SqlConnection connection, MemberAccount me, MemberAccount invitee, UUID household) {
        if (invitee.id().equals(me.id())) {
            return Uni.createFrom().failure(BusinessFailure.of(ErrorCode.INVALID_INPUT, "You cannot invite yourself", "input", "cardNumber"));
        }
        return connection.preparedQuery("select 1 from household_members where member_id = $1 and household_id = $2")
                .execute(Tuple.of(invitee.id(), household))
                .invoke(rows -> {
                    if (rows.size() > 0) {
                        throw BusinessFailure.of(ErrorCode.ALREADY_IN_HOUSEHOLD, "This member is in your household already",
                                "input", "cardNumber");
                    }
                }).replaceWithVoid();
    }

    /** Resolves the caller's pending invitation; returns its household. */
    private static Uni<UUID> answer(SqlConnection connection, UUID invitationId, MemberAccount me, String status) {
        return connection.preparedQuery("""
                        update household_invitations set status = $3, resolved_at = now()
                        where id = $1 and invitee_id = $2 and status = 'PENDING' returning household_id
                        """)
                .execute(Tuple.of(invitationId, me.id(), status))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw BusinessFailure.of(ErrorCode.INVITATION_NOT_FOUND, "You have no pending invitation with this id",
                                "input", "invitationId");
                    }
                    return rows.iterator().next().getUUID("household_id");
                });
    }

    private static Uni<HouseholdInvitation> pendingInvitation(SqlConnection connection, UUID household, UUID invitee) {
        return connection.preparedQuery(HouseholdInvitation.SELECT + " where i.household_id = $1 and i.invitee_id = $2 and i.status = 'PENDING'")
                .execute(Tuple.of(household, invitee))
                .map(rows -> HouseholdInvitation.from(rows.iterator().next()));
    }

    private static Uni<HouseholdInvitation> invitation(SqlConnection connection, UUID id) {
        return connection.preparedQuery(HouseholdInvitation.SELECT + " where i.id = $1").execute(Tuple.of(id))
                .map(rows -> HouseholdInvitation.from(rows.iterator().next()));
    }

    /** The caller's household as it stands in this transaction; null when there is none. */
    private Uni<Household> view(SqlConnection connection) {
        return currentHousehold(connection).flatMap(found -> found.isEmpty() ? Uni.createFrom().nullItem()
                : connection.preparedQuery(MEMBERS).execute(Tuple.of(found.get()))
                        .flatMap(memberRows -> connection
                                .preparedQuery(HouseholdInvitation.SELECT + " where i.household_id = $1 and i.status = 'PENDING' order by i.created_at")
                                .execute(Tuple.of(found.get()))
                                .map(invitationRows -> {
                                    List<HouseholdMember> people = new ArrayList<>();
                                    memberRows.forEach(row -> people.add(new HouseholdMember(CardTokens.display(row.getString("card_number")),
                                            row.getOffsetDateTime("joined_at").toInstant())));
                                    return new Household(found.get().toString(), people, invitations(invitationRows), maxMembers);
                                })));
    }

    private static List<HouseholdInvitation> invitations(Iterable<Row> rows) {
        List<HouseholdInvitation> found = new ArrayList<>();
        rows.forEach(row -> found.add(HouseholdInvitation.from(row)));
        return found;
    }
}
