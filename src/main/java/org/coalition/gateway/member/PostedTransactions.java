package org.coalition.gateway.member;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.ledger.TransactionRepository;
import org.coalition.gateway.member.MemberRepository.MemberAccount;

/** What an idempotent retry of a posting mutation gets back: the first transaction and its member as they are now. */
@ApplicationScoped
public class PostedTransactions {

    private final TransactionRepository transactions;
    private final MemberRepository members;

    public PostedTransactions(TransactionRepository transactions, MemberRepository members) {
        this.transactions = transactions;
        this.members = members;
    }

    public record Posted(PointTransaction transaction, Member member) {
    }

    public Uni<Posted> load(SqlConnection connection, UUID entryId) {
        return transactions.find(connection, entryId).flatMap(found -> {
            PointTransaction transaction = found.orElseThrow(
                    () -> new IllegalStateException("idempotency key names missing entry " + entryId));
            return members.find(connection, new MemberKey.ById(transaction.memberId()))
                    .map(member -> new Posted(transaction, member.map(MemberAccount::view).orElse(null)));
        });
    }
}
