import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

import org.coalition.gateway.member.CardNumbers;
import org.coalition.gateway.member.CardTokens;

/**
 * The sealed copies of the benchmark's card numbers (bench/seed.sql), made by the gateway's own CardTokens under the
 * run's card key, so that a member's own read (`me`) opens a sealed card as it does for every member enrolled through
 * the API. Writes "n,sealed" lines, one per member, for psql's \copy.
 *
 *   java -cp "target/quarkus-app/app/*:target/quarkus-app/lib/main/*" bench/tools/SealCards.java <members> <card key>
 */
public class SealCards {
    public static void main(String[] args) throws IOException {
        int members = Integer.parseInt(args[0]);
        CardTokens cards = new CardTokens(args[1], true);
        try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16)) {
            for (int n = 1; n <= members; n++) {
                // the card bench/seed.sql gives member n: "9", n in 14 digits, the Luhn check digit
                String card = CardNumbers.withCheckDigit("9" + String.format("%014d", n));
                out.write(n + "," + cards.seal(card) + "\n");
            }
        }
    }
}
