package org.coalition.gateway.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TierProgramReaderTest {

    private static final String GOOD = """
            qualification: { measure: QUALIFYING_POINTS, windowMonths: 12 }
            review: { month: 1, day: 1 }
            tiers:
              - { id: BASIC, name: Basic, threshold: 0, earnMultiplier: 1, fundedBy: OPERATOR }
              - { id: SILVER, name: Silver, threshold: 2000, earnMultiplier: 1.25, fundedBy: OPERATOR }
              - { id: GOLD, name: Gold, threshold: 10000, earnMultiplier: 1.5, fundedBy: EARNING_PARTNER }
            """;

    @TempDir
    Path directory;

    @Test
    void theDemoProgramLoads() {
        TierProgram program = TierProgramReader.read(Path.of("partner-contracts/coalition/tiers.yaml"));

        assertEquals(3, program.tiers().size());
        assertEquals("BASIC", program.lowest().id());
    }

    @Test
    void eachTierPaysItsMultiplierLessOneRoundedDown() throws IOException {
        TierProgram program = TierProgramReader.read(write(GOOD));

        assertArrayEquals(new Integer[] { 0, 25, 50 }, program.bonusPoints(101));
        assertArrayEquals(new Integer[] { 0, 0, 0 }, program.bonusPoints(0));
    }

    @Test
    void theLastReviewIsThisYearsOnceItsDayHasCome() throws IOException {
        TierProgram program = TierProgramReader.read(write(GOOD));

        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), program.lastReviewAt(Instant.parse("2026-11-27T12:00:00Z")));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), program.lastReviewAt(Instant.parse("2026-01-01T00:00:00Z")));
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), program.lastReviewAt(Instant.parse("2025-12-31T23:59:59Z")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "threshold: 2000, earnMultiplier: 1.25|threshold: 0, earnMultiplier: 1.25|tiers[1].threshold thresholds must rise",
            "threshold: 0, earnMultiplier: 1, fundedBy: OPERATOR }|threshold: 5, earnMultiplier: 1, fundedBy: OPERATOR }|tiers[0].threshold the lowest tier",
            "earnMultiplier: 1.5|earnMultiplier: 7|tiers[2].earnMultiplier must be between 1 and 5",
            "fundedBy: EARNING_PARTNER|fundedBy: NOBODY|tiers[2].fundedBy 'NOBODY' is none of",
            "id: GOLD|id: SILVER|tiers[2].id 'SILVER' appears twice",
            "windowMonths: 12|windowMonths: 0|qualification.windowMonths must be between 1 and 36",
            "measure: QUALIFYING_POINTS|measure: VISITS|qualification.measure 'VISITS' is none of" })
    void aBrokenProgramIsRefusedNamingFileAndField(String original, String broken, String message) throws IOException {
        Path file = write(GOOD.replaceFirst(java.util.regex.Pattern.quote(original), broken));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TierProgramReader.read(file));

        assertEquals(true, refused.getMessage().startsWith(file + ": " + message), refused.getMessage());
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(directory.resolve("tiers.yaml"), yaml);
    }
}
