package org.coalition.gateway.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Period;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClubCatalogReaderTest {

    @TempDir
    Path directory;

    @Test
    void theDemoClubsAreValid() {
        Map<String, Club> clubs = ClubCatalogReader.read(Path.of("partner-contracts", "coalition", "clubs.yaml"));

        Club plus = clubs.get("PLUS");
        assertEquals(List.of("freshmart", "fuelco"), plus.soldBy());
        assertEquals(Period.ofYears(1), plus.term());
        assertEquals(0, new BigDecimal("1.15").compareTo(plus.earnMultiplier()));
        assertEquals(14, plus.coolingOffDays());
    }

    @Test
    void aBrokenFileIsRefusedNamingTheFileAndTheField() throws IOException {
        String valid = Files.readString(Path.of("partner-contracts", "coalition", "clubs.yaml"));

        assertRefused(valid.replace("term: P1Y", "term: yearly"), "clubs[0].term");
        assertRefused(valid.replace("amount: 49.00", "amount: -1"), "clubs[0].fee.amount");
        assertRefused(valid.replace("commissionShare: 0.10", "commissionShare: 1.5"), "clubs[0].commissionShare");
        assertRefused(valid.replace("earnMultiplier: 1.05", "earnMultiplier: 0.5"), "clubs[1].benefits.earnMultiplier");
        assertRefused(valid.replace("soldBy: [fuelco]", "soldBy: []"), "clubs[1].soldBy");
        assertRefused(valid.replace("coolingOffDays: 14", "coolingOffDays: soon"), "clubs[0].cancellation.coolingOffDays");
        assertRefused(valid.replace("id: DRIVE", "id: PLUS"), "clubs[1].id");
        assertRefused(valid.replace("      currency: EUR\n    term: P1M", "    term: P1M"), "clubs[1].fee.currency");
    }

    private void assertRefused(String content, String field) throws IOException {
        Path file = Files.writeString(directory.resolve("clubs.yaml"), content);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ClubCatalogReader.read(file));
        assertTrue(refused.getMessage().startsWith(file + ": " + field + " "), refused.getMessage());
    }
}
