package org.coalition.gateway.partner;

import java.math.BigDecimal;
import java.time.Instant;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

@Type("Partner")
public record Partner(
        @Id @NonNull String id,
        @NonNull String name,
        @NonNull PartnerKind kind,
        boolean active,
        @Description("Points per unit of currency spent, under the contract in force now.") @NonNull BigDecimal pointsPerUnit,
        @NonNull String currency) {

    /** The partner as its contract stands at {@code now}; before its first version, as the first version will be. */
    public static Partner of(PartnerContract contract, Instant now) {
        PartnerContract.Version version = contract.versionAtOrFirst(now);
        return new Partner(contract.id(), contract.name(), contract.kind(), contract.active(),
                version.earn().pointsPerUnit(), version.earn().currency());
    }
}
