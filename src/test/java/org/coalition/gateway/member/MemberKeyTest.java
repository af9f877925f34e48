package org.coalition.gateway.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class MemberKeyTest {

    private static final UUID ID = UUID.fromString("01a2498e-afd5-797e-98e9-bff2bbf91c84");

    @Test
    void theSameReferenceLocksInTheSameOrderAndDifferentOnesApart() {
        assertEquals(new MemberKey.ById(ID).lockOrder(), new MemberKey.ById(UUID.fromString(ID.toString())).lockOrder());
        assertEquals(new MemberKey.ByCard("6370000000000017").lockOrder(), new MemberKey.ByCard("6370000000000017").lockOrder());
        assertNotEquals(new MemberKey.ByCard("6370000000000017").lockOrder(), new MemberKey.ByCard("6370000000000025").lockOrder());
        // a card number and a subject may be the same text; they are still two references
        assertNotEquals(new MemberKey.ByCard("6370000000000017").lockOrder(), new MemberKey.BySubject("6370000000000017").lockOrder());
        assertNotEquals(new MemberKey.ById(ID).lockOrder(), new MemberKey.BySubject(ID.toString()).lockOrder());
    }
}
