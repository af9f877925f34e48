package org.coalition.gateway.settlement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import org.coalition.gateway.partner.PartnerContract;
import org.coalition.gateway.partner.PartnerDirectory;
import org.coalition.gateway.shared.CoalitionConfig;
import org.coalition.gateway.shared.Invariant;

/**
 * Writes the settlement records of a journal entry in the entry's own transaction. The rules, one per
 * transaction kind:
 * <ul>
 * <li>earn: the issuer owes the operator its issue price for every point issued (ISSUANCE_FEE);</li>
 * <li>redemption or donation at B: every issuer whose lots were drawn owes B B's redemption value for
 * those points (REDEMPTION; an issuer redeeming its own points is recorded too);</li>
 * <li>expiry: the operator refunds the issuer's issue price for points that expired unused (EXPIRY);</li>
 * <li>reversals undo the records of what they reverse (REVERSAL, debtor and creditor swapped);</li>
 * <li>paid membership fee: the selling partner owes the operator the fee less its commission (MEMBERSHIP_FEE, no
 * points, linked to the membership); a cooling-off refund swaps debtor and creditor.</li>
 * </ul>
 */
@ApplicationScoped
public class SettlementRecorder {

    static final int AMOUNT_SCALE = 4;
    private static final String INSERT = "select settlement_record_entry($1, $2, $3, $4, $5, $6, $7, $8)";
    private static final String MEMBERSHIP_INSERT = """
            insert into settlement_records (id, kind, membership_id, member_id, debtor_id, creditor_id, points, amount, currency)
            values (gen_random_uuid(), 'MEMBERSHIP_FEE', $1, $2, $3, $4, 0, $5, $6)
            """;

    private final PartnerDirectory partners;
    private final String operatorId;

    public SettlementRecorder(PartnerDirectory partners, CoalitionConfig config) {
        this.partners = partners;
        this.operatorId = config.operator().partnerId();
    }

    /** One record to write: who owes whom, for how many points, how much. */
    public record NewRecord(RecordKind kind, String debtor, String creditor, int points, BigDecimal amount, String currency) {
        public NewRecord {
            Invariant.check(points > 0 || (kind == RecordKind.MEMBERSHIP_FEE && points == 0),
                    "a " + kind + " settlement record of " + points + " points");
            Invariant.check(amount.signum() >= 0, "a settlement record of a negative amount");
        }
    }

    /** Points drawn from (or given back to) one issuer's lots. */
    public record IssuerPoints(String issuerId, int points) {
    }

    public NewRecord issuanceFee(PartnerContract.Version issuerVersion, String issuerId, int points) {
        return new NewRecord(RecordKind.ISSUANCE_FEE, issuerId, operatorId, points,
                amount(points, issuerVersion.pricing().issuePrice()), issuerVersion.settlement().currency());
    }

    public NewRecord earnReversal(PartnerContract.Version issuerVersion, String issuerId, int points) {
        return new NewRecord(RecordKind.REVERSAL, operatorId, issuerId, points,
                amount(points, issuerVersion.pricing().issuePrice()), issuerVersion.settlement().currency());
    }

    /**
     * The issuer's refund for its expired points. Points the operator issued (a tier bonus it funds) cost nobody
     * anything when issued, so their expiry refunds nothing.
     */
    public List<NewRecord> expiry(String issuerId, int points, java.time.Instant when) {
        if (issuerId.equals(operatorId)) {
            return List.of();
        }
        PartnerContract.Version version = versionAt(issuerId, when);
        return List.of(new NewRecord(RecordKind.EXPIRY, operatorId, issuerId, points,
                amount(points, version.pricing().issuePrice()), version.settlement().currency()));
    }

    /** Redemption (or donation) at {@code redeemerId}: one record per issuer drawn from. */
    public List<NewRecord> redemption(PartnerContract.Version redeemerVersion, String redeemerId, List<IssuerPoints> drawn) {
        return perIssuer(drawn, (issuer, points) -> new NewRecord(RecordKind.REDEMPTION, issuer, redeemerId, points,
                amount(points, redeemerVersion.pricing().redemptionValue()), redeemerVersion.settlement().currency()));
    }

    public List<NewRecord> redemptionReversal(PartnerContract.Version redeemerVersion, String redeemerId, List<IssuerPoints> returned) {
        return perIssuer(returned, (issuer, points) -> new NewRecord(RecordKind.REVERSAL, redeemerId, issuer, points,
                amount(points, redeemerVersion.pricing().redemptionValue()), redeemerVersion.settlement().currency()));
    }

    /** A paid membership's fee collected by {@code sellerId}: it owes the operator its share (the fee less its commission). */
    public NewRecord membershipFee(String sellerId, BigDecimal operatorShare, String currency) {
        return new NewRecord(RecordKind.MEMBERSHIP_FEE, sellerId, operatorId, 0, operatorShare, currency);
    }

    /** The opposite of {@link #membershipFee}: a refunded fee, the operator's share handed back to the seller. */
    public NewRecord membershipRefund(String sellerId, BigDecimal operatorShare, String currency) {
        return new NewRecord(RecordKind.MEMBERSHIP_FEE, operatorId, sellerId, 0, operatorShare, currency);
    }

    /** Writes a membership's fee (or refund) record; it has no journal entry. */
    public Uni<Void> writeForMembership(SqlConnection connection, UUID membershipId, UUID memberId, NewRecord record) {
        Invariant.check(record.kind() == RecordKind.MEMBERSHIP_FEE, "only membership fees belong to a membership");
        return connection.preparedQuery(MEMBERSHIP_INSERT)
                .execute(Tuple.of(membershipId, memberId, record.debtor(), record.creditor(), record.amount(), record.currency()))
                .replaceWithVoid();
    }

    /** Whether the partner is the coalition's operator, whose own points cost nobody anything. */
    public boolean isOperator(String partnerId) {
        return operatorId.equals(partnerId);
    }

    public PartnerContract.Version versionAt(String partnerId, java.time.Instant when) {
        PartnerContract contract = partners.byId(partnerId).orElseThrow(() -> new IllegalStateException("no contract for " + partnerId));
        return contract.versionAtOrFirst(when);
    }

    public Uni<Void> write(SqlConnection connection, UUID entryId, UUID memberId, List<NewRecord> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery(INSERT).execute(addRecords(Tuple.of(entryId, memberId), records)).replaceWithVoid();
    }

    /** Appends records as settlement_record_entry's six arrays (kinds, debtors, creditors, points, amounts, currencies). */
    public static Tuple addRecords(Tuple arguments, List<NewRecord> records) {
        return arguments
                .addArrayOfString(records.stream().map(r -> r.kind().name()).toArray(String[]::new))
                .addArrayOfString(records.stream().map(NewRecord::debtor).toArray(String[]::new))
                .addArrayOfString(records.stream().map(NewRecord::creditor).toArray(String[]::new))
                .addArrayOfInteger(records.stream().map(NewRecord::points).toArray(Integer[]::new))
                .addArrayOfBigDecimal(records.stream().map(NewRecord::amount).toArray(BigDecimal[]::new))
                .addArrayOfString(records.stream().map(NewRecord::currency).toArray(String[]::new));
    }

    /** The same records as the {@code record_*} fields of a set-based function's JSON request (V57's {@code earn_request}). */
    public static JsonObject putRecords(JsonObject request, List<NewRecord> records) {
        return request.put("record_kinds", jsonArray(records, r -> r.kind().name()))
                .put("record_debtors", jsonArray(records, NewRecord::debtor))
                .put("record_creditors", jsonArray(records, NewRecord::creditor))
                .put("record_points", jsonArray(records, NewRecord::points))
                // as text: a JSON number could come back in exponent form, and the database reads either exactly
                .put("record_amounts", jsonArray(records, r -> r.amount().toPlainString()))
                .put("record_currencies", jsonArray(records, NewRecord::currency));
    }

    private static JsonArray jsonArray(List<NewRecord> records, Function<NewRecord, Object> field) {
        return new JsonArray(records.stream().map(field).toList());
    }

    static BigDecimal amount(int points, BigDecimal pricePerPoint) {
        return pricePerPoint.multiply(BigDecimal.valueOf(points)).setScale(AMOUNT_SCALE, RoundingMode.HALF_EVEN);
    }

    private static List<NewRecord> perIssuer(List<IssuerPoints> drawn, java.util.function.BiFunction<String, Integer, NewRecord> record) {
        Map<String, Integer> byIssuer = new LinkedHashMap<>();
        drawn.forEach(part -> byIssuer.merge(part.issuerId(), part.points(), Integer::sum));
        List<NewRecord> records = new ArrayList<>();
        byIssuer.forEach((issuer, points) -> records.add(record.apply(issuer, points)));
        return records;
    }
}
