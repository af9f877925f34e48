package org.coalition.gateway.ledger;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import org.coalition.gateway.shared.PageInfo;
import org.coalition.gateway.shared.PageRequest;
import org.coalition.gateway.tenancy.Caller;
import org.coalition.gateway.tenancy.TenantSessions;

/**
 * Which transactions a caller may read: a partner only its own, a member only their own (with the transfers they
 * received, whose entries name the sender), the settlement team and operators all. Every transaction read goes
 * through here.
 */
@ApplicationScoped
public class TransactionReads {

    private final TransactionRepository transactions;
    private final TenantSessions sessions;

    public TransactionReads(TransactionRepository transactions, TenantSessions sessions) {
        this.transactions = transactions;
        this.sessions = sessions;
    }

    /** @param ofMember restricts to one member (a member's own history, or a member a partner looked up) */
    public Uni<TransactionConnection> page(Caller caller, UUID ofMember, TransactionFilter filter, Integer first, String after) {
        PageRequest page = PageRequest.of(first, after);
        TransactionFilter given = filter == null ? new TransactionFilter() : filter;
        String partnerId = given.partnerId;
        if (caller.isPartner()) {
            if (partnerId != null && !partnerId.equals(caller.partnerId())) {
                return Uni.createFrom().item(empty());
            }
            partnerId = caller.partnerId();
        }
        String memberSubject = caller.isMember() ? caller.subject() : null;
        TransactionQuery query = new TransactionQuery(ofMember, memberSubject, partnerId, given.kinds, given.from, given.to, page);
        return sessions.inTransaction(caller, connection -> transactions.page(connection, query));
    }

    public Uni<Optional<PointTransaction>> find(Caller caller, UUID id) {
        if (caller.isMember()) {
            return sessions.inTransaction(caller, connection -> transactions.findOfMemberSubject(connection, id, caller.subject()));
        }
        return sessions.inTransaction(caller, connection -> transactions.find(connection, id)).map(found -> found.filter(tx -> caller.seesAllPartners()
                || (caller.isPartner() && tx.partnerId().equals(caller.partnerId()))));
    }

    private static TransactionConnection empty() {
        return new TransactionConnection(java.util.List.of(), new PageInfo(false, null));
    }
}
