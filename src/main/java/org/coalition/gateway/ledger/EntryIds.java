package org.coalition.gateway.ledger;

import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;

/**
 * Ids of journal entries, and of the other results a write names before it runs: RFC 9562 version 7 UUIDs, whose
 * first 48 bits are the Unix time in milliseconds and the other 74 random (from the source {@link UUID#randomUUID()}
 * uses).
 *
 * <p>Why not version 4: entries are inserted in about the order of these ids, so the journal's primary key and the
 * indexes that lead with an entry id (postings, settlement records, lots, bonus grants) grow at their right edge. A
 * random id puts every insert on a random leaf page: in a ledger of millions of entries that page is rarely cached,
 * and after each checkpoint its first change writes the whole page to the WAL.
 */
public final class EntryIds {

    private static final Random RANDOM = new SecureRandom();

    private EntryIds() {
    }

    public static UUID next() {
        return at(System.currentTimeMillis(), RANDOM);
    }

    static UUID at(long unixMillis, Random random) {
        byte[] bits = new byte[10];
        random.nextBytes(bits);
        long randomA = ((bits[0] & 0xFFL) << 4 | (bits[1] & 0xF0L) >>> 4);  // 12 bits
        long mostSignificant = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | randomA;
        long randomB = 0;
        for (int i = 2; i < 10; i++) {
            randomB = randomB << 8 | (bits[i] & 0xFFL);
        }
        long leastSignificant = randomB & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;  // variant 10
        return new UUID(mostSignificant, leastSignificant);
    }
}
