package org.coalition.gateway.ledger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.ledger.LedgerAccounts.PartnerAccounts;
import org.coalition.gateway.shared.Invariant;

/**
 * Ids of the partner and system accounts, opened once at start-up and kept in memory so that posting
 * an entry needs no account look-up.
 */
@ApplicationScoped
public class AccountBook {

    private static final String OPEN_PARTNER_ACCOUNT = """
            with opened as (
                insert into accounts (kind, partner_id) values ($1, $2)
                on conflict on constraint accounts_one_per_owner do nothing
                returning id
            )
            select id from opened
            union all
            select id from accounts where kind = $1 and partner_id = $2
            limit 1
            """;

    /**
     * Stands for the member's own account in postings handed to a one-statement hot-path function, which
     * learns the member's account only as it credits or debits the member (V9).
     */
    public static final long MEMBER_ACCOUNT_IN_STATEMENT = 0;

    private final Pool pool;
    private final Map<String, PartnerAccounts> partnerAccounts = new ConcurrentHashMap<>();
    private volatile long breakage;
    private volatile long holds;

    public AccountBook(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> loadSystemAccounts() {
        return pool.query("select id, kind from accounts where kind in ('BREAKAGE', 'HOLDS')").execute()
                .invoke(rows -> {
                    for (Row row : rows) {
                        if (row.getString("kind").equals("BREAKAGE")) {
                            breakage = row.getLong("id");
                        } else {
                            holds = row.getLong("id");
                        }
                    }
                    Invariant.check(breakage > 0 && holds > 0, "system accounts missing from the schema");
                })
                .replaceWithVoid();
    }

    public Uni<Void> openPartnerAccounts(String partnerId) {
        return openAccount(AccountKind.PARTNER_ISSUED, partnerId)
                .flatMap(issued -> openAccount(AccountKind.PARTNER_REDEEMED, partnerId)
                        .invoke(redeemed -> partnerAccounts.put(partnerId, new PartnerAccounts(issued, redeemed))))
                .replaceWithVoid();
    }

    private Uni<Long> openAccount(AccountKind kind, String partnerId) {
        return pool.preparedQuery(OPEN_PARTNER_ACCOUNT).execute(Tuple.of(kind.name(), partnerId))
                .map(rows -> rows.iterator().next().getLong("id"));
    }

    public LedgerAccounts accountsFor(long memberAccount, String partnerId) {
        PartnerAccounts partner = partnerAccounts.get(partnerId);
        Invariant.check(partner != null, "partner " + partnerId + " has no ledger accounts");
        return new LedgerAccounts(memberAccount, partner, breakage, holds);
    }
}
