package org.coalition.gateway.member;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.shared.BatchedLookups;
import org.coalition.gateway.shared.BusinessFailure;
import org.coalition.gateway.shared.Database;
import org.coalition.gateway.shared.ErrorCode;

/**
 * The members table: look-ups, and the stored balance that moves in the same transaction as the
 * member's postings. Every balance change is one conditional UPDATE that takes the member's row
 * lock, so concurrent spends of one member queue up in PostgreSQL instead of overdrawing it.
 */
@ApplicationScoped
public class MemberRepository {

    static final String COLUMNS = "id, card_number, account_id, balance, held, enrolled_at";
    private static final String MEMBER_NOT_FOUND_STATE = "CG404";
    private static final String NOT_ENOUGH_POINTS_STATE = "CG402";

    private final Database database;
    private final CardTokens cards;
    private final BatchedLookups.Lookup<String, Member> bySubject;

    public MemberRepository(Database database, CardTokens cards, BatchedLookups lookups) {
        this.database = database;
        this.cards = cards;
        // the member app's balance read: concurrent sign-ins share a statement (BatchedLookups)
        this.bySubject = lookups.lookup("member_by_subject",
                "select subject, " + COLUMNS + ", card_sealed from members where subject = any($1)",
                subjects -> Tuple.of(subjects.toArray(String[]::new)), row -> row.getString("subject"), this::asSignedIn);
    }

    /** A member row with its ledger account, as read or as left by a balance change. */
    /** {@code cardToken}: what is stored of the card ({@link CardTokens}), never its number. */
    public record MemberAccount(UUID id, String cardToken, long accountId, long balance, long held, Instant enrolledAt) {
        public Member view() {
            return Member.of(id, cardToken, balance, held, enrolledAt);
        }

        public static MemberAccount from(Row row) {
            return new MemberAccount(row.getUUID("id"), row.getString("card_number"), row.getLong("account_id"),
                    row.getLong("balance"), row.getLong("held"), row.getOffsetDateTime("enrolled_at").toInstant());
        }
    }

    public Uni<Optional<MemberAccount>> find(SqlClient client, MemberKey key) {
        return client.preparedQuery("select " + COLUMNS + " from members where " + condition(key))
                .execute(Tuple.of(value(key)))
                .map(MemberRepository::first);
    }

    public Uni<Optional<Member>> find(MemberKey key) {
        return database.withConnection(connection -> find(connection, key)).map(found -> found.map(MemberAccount::view));
    }

    /**
     * A member as a partner, the settlement team or an operator reads it, and in the same statement a line in the
     * personal-data read log (V27): who read, when, and what ({@code what}).
     */
    public Uni<Optional<Member>> findAndLogRead(MemberKey key, String readerKind, String readerPartner, String readerSubject,
            String what) {
        String statement = loggingRead("where " + condition(key));
        return database.withConnection(connection -> connection.preparedQuery(statement)
                        .execute(Tuple.of(value(key), readerKind, readerPartner, readerSubject, what)))
                .map(rows -> first(rows).map(MemberAccount::view));
    }

    /** The member a login claimed, as that member sees it: with the whole card number (from its sealed copy, V27). */
    public Uni<Optional<Member>> findBySubject(String subject) {
        return bySubject.find(subject);
    }

    /** The whole card number is opened here, once per row, from its sealed copy; a member enrolled without one has none. */
    private Member asSignedIn(Row row) {
        Member member = MemberAccount.from(row).view();
        String sealed = row.getString("card_sealed");
        return sealed == null ? member : member.withCardNumber(cards.open(sealed));
    }

    public Uni<Optional<UUID>> idOfSubject(String subject) {
        return database.withConnection(connection -> connection
                        .preparedQuery("select id from members where subject = $1").execute(Tuple.of(subject)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID("id")));
    }

    public Uni<List<Member>> findAll(List<UUID> ids) {
        return database.withConnection(connection -> connection
                        .preparedQuery("select " + COLUMNS + " from members where id = any($1)")
                        .execute(Tuple.of(ids.toArray(UUID[]::new))))
                .map(MemberRepository::views);
    }

    /** {@link #findAll}, for a partner, the settlement team or an operator: each member read is logged as in {@link #findAndLogRead}. */
    public Uni<List<Member>> findAllAndLogRead(List<UUID> ids, String readerKind, String readerPartner, String readerSubject,
            String what) {
        String statement = loggingRead("where id = any($1)");
        return database.withConnection(connection -> connection.preparedQuery(statement)
                        .execute(Tuple.of(ids.toArray(UUID[]::new), readerKind, readerPartner, readerSubject, what)))
                .map(MemberRepository::views);
    }

    /** The members a condition on $1 finds, and in the same statement a read-log line each ($2 to $5: who, what). */
    private static String loggingRead(String condition) {
        return "with found as (select " + COLUMNS + " from members " + condition + "), logged as ("
                + " insert into personal_data_reads (member_id, reader_kind, reader_partner, reader_subject, what)"
                + " select id, $2, $3, $4, $5 from found) select * from found";
    }

    private static List<Member> views(RowSet<Row> rows) {
        List<Member> members = new ArrayList<>();
        rows.forEach(row -> members.add(MemberAccount.from(row).view()));
        return members;
    }

    /**
     * Takes points from what is available (balance minus held). PostgreSQL re-checks the condition on
     * the newest row version after waiting for a concurrent writer, so this is a race-free debit.
     */
    public Uni<MemberAccount> debitAvailable(SqlClient client, MemberKey key, long points) {
        // The same SQL function the one-statement redemption debits with (V9), so the rule and its refusal are written once.
        return client.preparedQuery("select " + COLUMNS + " from member_debit_available($1, $2, $3)")
                .execute(Tuple.of(keyKind(key), keyReference(key), points))
                .map(rows -> first(rows).orElseThrow())
                .onFailure().transform(MemberRepository::businessFailureOf);
    }

    /** Reserves points for a hold: available drops, the balance does not. Same race-free guard as a debit. */
    public Uni<MemberAccount> reserve(SqlClient client, MemberKey key, long points) {
        String reserve = "update members set held = held + $2 where " + condition(key)
                + " and balance - held >= $2 returning " + COLUMNS;
        return client.preparedQuery(reserve).execute(Tuple.of(value(key), points))
                .flatMap(rows -> first(rows).map(member -> Uni.createFrom().item(member))
                        .orElseGet(() -> explainFailedDebit(client, key, points)));
    }

    /** Resolves a hold: releases all it held and takes what was captured (zero for a void or expiry). */
    public Uni<MemberAccount> settleHold(SqlClient client, UUID memberId, long held, long captured) {
        return client.preparedQuery("update members set held = held - $2, balance = balance - $3 where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(memberId, held, captured))
                .map(rows -> first(rows).orElseThrow(() -> new IllegalStateException("hold of missing member " + memberId)));
    }

    /** Locks the member's row for the rest of the transaction: spends, reversals and expiry of one member queue here. */
    public Uni<MemberAccount> lock(SqlClient client, UUID memberId) {
        return client.preparedQuery("select " + COLUMNS + " from members where id = $1 for update").execute(Tuple.of(memberId))
                .map(rows -> first(rows).orElseThrow(MemberRepository::notFound));
    }

    /** Moves the stored balance by a signed number of points, for reversals and expiry under {@link #lock}. */
    public Uni<MemberAccount> adjustBalance(SqlClient client, UUID memberId, long delta) {
        return client.preparedQuery("update members set balance = balance + $2 where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(memberId, delta))
                .map(rows -> first(rows).orElseThrow(MemberRepository::notFound));
    }

    private Uni<MemberAccount> explainFailedDebit(SqlClient client, MemberKey key, long points) {
        return find(client, key).map(found -> {
            MemberAccount member = found.orElseThrow(MemberRepository::notFound);
            throw BusinessFailure.of(ErrorCode.INSUFFICIENT_POINTS,
                    "The member has " + (member.balance() - member.held()) + " points available, " + points + " requested",
                    "input", "points");
        });
    }

    /** How a one-statement hot-path function (V9) is told which member a request names: ID, CARD or SUBJECT. */
    public static String keyKind(MemberKey key) {
        if (key instanceof MemberKey.ById) {
            return "ID";
        }
        return key instanceof MemberKey.ByCard ? "CARD" : "SUBJECT";
    }

    /**
     * The reference a hot-path function compares: a member id, a card's candidate tokens joined by
     * {@link CardTokens#CANDIDATE_SEPARATOR} (never its number; V50) or a subject.
     */
    public String keyReference(MemberKey key) {
        return key instanceof MemberKey.ByCard byCard
                ? String.join(CardTokens.CANDIDATE_SEPARATOR, cards.candidates(byCard.cardNumber()))
                : value(key).toString();
    }

    /** The business failures the V9 member functions raise (CG404, CG402), as the typed errors partners get. */
    public static Throwable businessFailureOf(Throwable failure) {
        if (failure instanceof PgException pg && MEMBER_NOT_FOUND_STATE.equals(pg.getSqlState())) {
            return notFound();
        }
        if (failure instanceof PgException pg && NOT_ENOUGH_POINTS_STATE.equals(pg.getSqlState())) {
            return BusinessFailure.of(ErrorCode.INSUFFICIENT_POINTS, pg.getErrorMessage(), "input", "points");
        }
        return failure;
    }

    static BusinessFailure notFound() {
        return BusinessFailure.of(ErrorCode.MEMBER_NOT_FOUND, "No member has this id or card number", "input", "member");
    }

    static Optional<MemberAccount> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(MemberAccount.from(rows.iterator().next()));
    }

    /**
     * An erased member is found by id no more (card and subject are gone from its row anyway). A card is compared
     * as its tokens under the current and each previous card key ({@link CardTokens#candidates}), on the unique index.
     */
    private static String condition(MemberKey key) {
        if (key instanceof MemberKey.ById) {
            return "id = $1 and erased_at is null";
        }
        return key instanceof MemberKey.ByCard ? "card_number = any($1)" : "subject = $1";
    }

    private Object value(MemberKey key) {
        if (key instanceof MemberKey.ById byId) {
            return byId.id();
        }
        return key instanceof MemberKey.ByCard byCard
                ? cards.candidates(byCard.cardNumber()).toArray(String[]::new)
                : ((MemberKey.BySubject) key).subject();
    }
}
