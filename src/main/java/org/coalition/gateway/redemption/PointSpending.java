package org.coalition.gateway.redemption;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import org.coalition.gateway.ledger.AccountBook;
import org.coalition.gateway.ledger.Channel;
import org.coalition.gateway.ledger.JournalWriter;
import org.coalition.gateway.ledger.LotConsumer;
import org.coalition.gateway.ledger.NewEntry;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.Posting;
import org.coalition.gateway.ledger.PostingTemplate;
import org.coalition.gateway.member.MemberRepository.MemberAccount;
import org.coalition.gateway.settlement.SettlementRecorder;

/**
 * Posts points a member spends (a redemption, a captured hold, a donation) once the member's balance
 * was debited in the same transaction: the journal entry and the lots it draws from, oldest first.
 */
@ApplicationScoped
public class PointSpending {

    private final JournalWriter journal;
    private final LotConsumer lots;
    private final AccountBook accounts;
    private final SettlementRecorder settlement;

    public PointSpending(JournalWriter journal, LotConsumer lots, AccountBook accounts, SettlementRecorder settlement) {
        this.settlement = settlement;
        this.journal = journal;
        this.lots = lots;
        this.accounts = accounts;
    }

    /** What is spent, where and why; {@code points} is positive. */
    public record Spend(UUID entryId, PostingTemplate template, String partnerId, int points, Channel channel,
            String partnerReference, Instant occurredAt, Integer contractVersion) {
    }

    public Uni<PointTransaction> post(SqlConnection connection, Spend spend, MemberAccount debited) {
        NewEntry entry = entry(spend, debited);
        return journal.post(connection, entry)
                .flatMap(postedAt -> lots.consumeOldestFirst(connection, debited.id(), spend.points(), spend.entryId(),
                                spend.partnerId())
                        .flatMap(consumed -> settlement.write(connection, spend.entryId(), debited.id(),
                                        settlement.redemption(settlement.versionAt(spend.partnerId(), spend.occurredAt()),
                                                spend.partnerId(), byIssuer(consumed)))
                                .map(ignored -> {
                                    Log.debugf("%s %s: %d points at %s from %d lots", spend.template(), spend.entryId(),
                                            spend.points(), spend.partnerId(), consumed.size());
                                    return PointTransaction.posted(entry, postedAt);
                                })));
    }

    /** The journal entry of a spend from the debited member's account. */
    public NewEntry entry(Spend spend, MemberAccount debited) {
        return new NewEntry(spend.entryId(), spend.template().kind(), debited.id(), spend.partnerId(),
                -spend.points(), null, null, spend.channel(), spend.partnerReference(), spend.occurredAt(), null,
                spend.contractVersion(), postings(spend, debited.accountId()), Optional.empty(), null);
    }

    /** A spend's postings; {@code memberAccount} may be {@link AccountBook#MEMBER_ACCOUNT_IN_STATEMENT}. */
    public List<Posting> postings(Spend spend, long memberAccount) {
        return spend.template().postings(spend.points(), accounts.accountsFor(memberAccount, spend.partnerId()));
    }

    public static List<SettlementRecorder.IssuerPoints> byIssuer(List<LotConsumer.Consumption> draws) {
        return draws.stream().map(draw -> new SettlementRecorder.IssuerPoints(draw.issuerId(), draw.points())).toList();
    }
}
