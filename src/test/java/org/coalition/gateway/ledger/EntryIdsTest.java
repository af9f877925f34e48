package org.coalition.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class EntryIdsTest {

    @Test
    void isAVersion7UuidCarryingItsMillisecond() {
        UUID id = EntryIds.at(0x0190_1234_5678L, new Random(1));
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(0x0190_1234_5678L, id.getMostSignificantBits() >>> 16);
        assertTrue(id.toString().startsWith("01901234-5678-7"), id.toString());
    }

    @Test
    void laterMillisecondsSortAfterEarlierOnesAsPostgreSqlComparesThem() {
        Random random = new Random(7);
        for (long millis = 1_700_000_000_000L; millis < 1_700_000_001_000L; millis++) {
            UUID earlier = EntryIds.at(millis, random);
            UUID later = EntryIds.at(millis + 1, random);
            // PostgreSQL orders uuid by its bytes, unsigned: the string form sorts the same way
            assertTrue(earlier.toString().compareTo(later.toString()) < 0, earlier + " before " + later);
        }
    }

    @Test
    void idsOfTheSameMillisecondDiffer() {
        Random random = new Random(3);
        assertNotEquals(EntryIds.at(42, random), EntryIds.at(42, random));
        UUID now = EntryIds.next();
        assertTrue(Math.abs((now.getMostSignificantBits() >>> 16) - System.currentTimeMillis()) < 60_000);
    }
}
