package org.coalition.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The poll's bookkeeping of events that commit out of id order. */
class EventCursorTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private final EventCursor cursor = new EventCursor(Duration.ofSeconds(15), 100);

    @Test
    void startsAfterTheLatestEventWhenNothingIsRecent() {
        assertFalse(cursor.started());
        cursor.start(List.of(), 41, T0);
        assertTrue(cursor.started());
        assertEquals(41, cursor.highest());
        assertFalse(cursor.accept(41, T0), "an event from before the start is not sent");
        assertTrue(cursor.accept(42, T0));
    }

    @Test
    void gapsAmongTheRecentEventsAreAwaitedFromTheStart() {
        cursor.start(List.of(10L, 11L, 14L), 14, T0);
        assertEquals(14, cursor.highest());
        assertArrayEquals(new Long[] {12L, 13L}, cursor.awaited());
        assertTrue(cursor.accept(13, T0), "a transaction in flight at the start commits later");
        assertFalse(cursor.accept(11, T0), "already there at the start");
    }

    @Test
    void anEventThatCommitsAfterAHigherOneIsSentOnceWhenItAppears() {
        cursor.start(List.of(), 0, T0);
        assertTrue(cursor.accept(1, T0));
        assertTrue(cursor.accept(3, T0));
        assertArrayEquals(new Long[] {2L}, cursor.awaited());
        assertTrue(cursor.accept(2, T0.plusMillis(200)));
        assertFalse(cursor.accept(2, T0.plusMillis(400)), "read again by a later poll, sent only once");
        assertFalse(cursor.accept(3, T0.plusMillis(400)));
        assertEquals(0, cursor.awaited().length);
    }

    @Test
    void aSkippedIdIsForgottenAfterThePatienceAsARollBack() {
        cursor.start(List.of(), 0, T0);
        cursor.accept(2, T0);
        cursor.accept(5, T0.plusSeconds(10));
        cursor.expire(T0.plusSeconds(16));
        assertArrayEquals(new Long[] {3L, 4L}, cursor.awaited(), "1 skipped at T0 is forgotten, 3 and 4 still awaited");
        assertFalse(cursor.accept(1, T0.plusSeconds(16)));
    }

    @Test
    void aHugeGapIsRememberedOnlyNearItsTop() {
        cursor.start(List.of(), 0, T0);
        cursor.accept(1_000_000, T0);
        assertEquals(100, cursor.awaited().length);
        assertEquals(999_900L, cursor.awaited()[0]);
        assertTrue(cursor.accept(999_999, T0));
        assertFalse(cursor.accept(5, T0));
    }
}
