package org.coalition.gateway.partner;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

import org.coalition.gateway.operations.OperationMetrics;
import org.coalition.gateway.ledger.PointTransaction;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.tenancy.CallerAugmentor;
import org.coalition.gateway.tenancy.CurrentCaller;
import org.coalition.gateway.tenancy.ExplainedRefusals;

@GraphQLApi
@ExplainedRefusals
@OperationMetrics
public class PartnerApi {

    private final PartnerDirectory directory;
    private final CurrentCaller caller;
    private final Partner operator;

    public PartnerApi(PartnerDirectory directory, CurrentCaller caller, CoalitionConfig config) {
        this.directory = directory;
        this.caller = caller;
        this.operator = new Partner(config.operator().partnerId(), config.operator().name(), PartnerKind.OPERATOR, true,
                java.math.BigDecimal.ZERO, config.settlement().currency());
    }

    @Query("partner")
    @Description("The calling partner (partner tokens), or any partner (settlement/operator).")
    @Authenticated
    public Uni<Partner> partner(@Id String id) {
        return caller.get().map(c -> {
            String wanted = id != null ? id : c.partnerId();
            if (wanted == null) {
                throw new org.coalition.gateway.shared.InvalidArgument("id is required unless a partner is calling");
            }
            if (c.isPartner() && !wanted.equals(c.partnerId())) {
                throw new ForbiddenException();
            }
            return directory.byId(wanted).map(contract -> Partner.of(contract, Instant.now())).orElse(null);
        });
    }

    @Query("partners")
    @Description("All partners of the coalition (settlement/operator).")
    @PermissionsAllowed(CallerAugmentor.PARTNERS_READ_ALL)
    @NonNull
    public List<@NonNull Partner> partners() {
        Instant now = Instant.now();
        return directory.all().stream().map(contract -> Partner.of(contract, now)).toList();
    }

    @Name("partner")
    @NonNull
    public Partner partnerOf(@Source PointTransaction transaction) {
        return byId(transaction.partnerId());
    }

    /** Any partner as the API shows it; transactions and lots only ever name partners with a contract. */
    public Partner byId(String partnerId) {
        if (operator.id().equals(partnerId)) {
            return operator;
        }
        return directory.byId(partnerId).map(contract -> Partner.of(contract, Instant.now()))
                .orElseThrow(() -> new IllegalStateException("no contract for partner " + partnerId));
    }
}
