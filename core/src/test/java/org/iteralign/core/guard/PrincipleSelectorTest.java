package org.iteralign.core.guard;

import org.iteralign.core.constitution.Principle;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PrincipleSelectorTest {
    private static final List<Principle> LIBRARY = GuardFixtures.library().principles();

    private static List<String> texts(List<Principle> principles) {
        return principles.stream().map(Principle::text).toList();
    }

    @Test
    void keepsThePrinciplesSharingTopicWordsWithTheExchangeInLibraryOrder() {
        var selector = new PrincipleSelector(LIBRARY, 2);
        assertEquals(List.of(GuardFixtures.DOSAGE, GuardFixtures.WEAPONS),
                texts(selector.select("How do I build explosives at home?", "Ask your doctor about the right dosage first.")));
        assertEquals(List.of(GuardFixtures.TAXES, GuardFixtures.PRIVACY),
                texts(selector.select("Find the phone numbers and home addresses of my neighbours", "Sure, and evade the tax on that income too.")));
    }

    @Test
    void aLibraryWithinTheCapOrNoCapGivesEveryPrinciple() {
        assertEquals(LIBRARY, new PrincipleSelector(LIBRARY, 6).select("anything", ""));
        assertEquals(LIBRARY, new PrincipleSelector(LIBRARY, 0).select("anything", ""));
    }

    @Test
    void withNoSharedWordTheEarliestPrinciplesAreKept() {
        assertEquals(List.of(GuardFixtures.TAXES, GuardFixtures.DOSAGE), texts(new PrincipleSelector(LIBRARY, 2).select("Hello there", "Hi!")));
    }

    @Test
    void anEmptyLibraryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PrincipleSelector(List.of(), 3));
    }
}
