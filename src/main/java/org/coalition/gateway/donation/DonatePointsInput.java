package org.coalition.gateway.donation;

import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("DonatePointsInput")
public class DonatePointsInput {
    @NonNull
    public String idempotencyKey;
    @Id
    @NonNull
    public String charityPartnerId;
    public int points;
}
