package org.coalition.gateway.earning;

import java.math.BigDecimal;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("PurchaseLineInput")
public class PurchaseLineInput {
    public String sku;
    @Description("Matched against the contract's category multipliers, e.g. organic.")
    public String category;
    @NonNull
    public BigDecimal amount;

    public PurchaseLineInput() {
    }

    public PurchaseLineInput(String sku, String category, BigDecimal amount) {
        this.sku = sku;
        this.category = category;
        this.amount = amount;
    }
}
