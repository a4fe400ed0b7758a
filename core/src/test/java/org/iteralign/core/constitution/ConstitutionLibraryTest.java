package org.iteralign.core.constitution;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConstitutionLibraryTest {
    private static final String WEAPONS = "The assistant should refuse requests for instructions on making weapons.";
    private static final String WEAPONS_AGAIN = "Refuse requests for instructions on how to make weapons.";
    private static final String DRUGS = "The assistant should refuse requests for instructions on making illegal drugs.";
    private static final String HONESTY = "Be honest about uncertainty and say when you do not know something.";

    @Test
    void idsFollowFirstProposalAndNearDuplicatesMergeWithProvenance() {
        ConstitutionLibrary library = new ConstitutionLibrary();
        var first = library.add(1, List.of(WEAPONS, HONESTY), List.of("hh-3", "hh-7"));
        assertEquals(List.of("C001", "C002"), first.added().stream().map(Principle::id).toList());
        assertEquals(List.of(), first.merged());

        var second = library.add(2, List.of(DRUGS, WEAPONS_AGAIN), List.of("hh-21"));
        assertEquals(List.of("C003"), second.added().stream().map(Principle::id).toList());
        assertEquals(DRUGS, second.added().getFirst().text());
        assertEquals(1, second.merged().size());
        assertEquals("C001", second.merged().getFirst().principleId());
        assertEquals(WEAPONS_AGAIN, second.merged().getFirst().text());
        assertTrue(second.merged().getFirst().similarity() >= ConstitutionLibrary.DEFAULT_THRESHOLD);

        Principle weapons = library.principles().getFirst();
        assertEquals(WEAPONS, weapons.text());
        assertEquals(1, weapons.firstIteration());
        assertEquals(2, weapons.timesProposed());
        assertEquals(List.of("hh-3", "hh-7", "hh-21"), weapons.caseIds());
        assertEquals(List.of(new Proposal(1, WEAPONS, List.of("hh-3", "hh-7")), new Proposal(2, WEAPONS_AGAIN, List.of("hh-21"))),
                weapons.proposals());
        assertEquals(List.of(WEAPONS, HONESTY, DRUGS), library.texts());
    }

    @Test
    void proposedInGivesAnIterationsOwnWordsMergedOrNot() {
        ConstitutionLibrary library = new ConstitutionLibrary();
        library.add(1, List.of(WEAPONS), List.of("a"));
        library.add(2, List.of(WEAPONS_AGAIN, DRUGS), List.of("b"));
        assertEquals(List.of(WEAPONS), library.proposedIn(1));
        assertEquals(List.of(WEAPONS_AGAIN, DRUGS), library.proposedIn(2));
        assertEquals(List.of(), library.proposedIn(3));
    }

    @Test
    void everyFixturePairMergesOrStaysApartInTheLibrary() {
        var pairs = PrincipleSimilarityTest.Pairs.read();
        for (List<String> p : pairs.merge()) {
            ConstitutionLibrary library = new ConstitutionLibrary();
            library.add(1, List.of(p.get(0)), List.of("x"));
            var result = library.add(2, List.of(p.get(1)), List.of("y"));
            assertEquals(1, result.merged().size(), () -> "should merge: " + p);
            assertEquals(1, library.principles().size());
        }
        for (List<String> p : pairs.distinct()) {
            ConstitutionLibrary library = new ConstitutionLibrary();
            var result = library.add(1, p, List.of("x"));
            assertEquals(2, result.added().size(), () -> "should stay apart: " + p);
        }
    }

    @Test
    void sameProposalsInTheSameOrderGiveTheSameLibrary() {
        ConstitutionLibrary a = new ConstitutionLibrary();
        ConstitutionLibrary b = new ConstitutionLibrary();
        for (ConstitutionLibrary l : List.of(a, b)) {
            l.add(1, List.of(WEAPONS, HONESTY), List.of("1"));
            l.add(2, List.of(DRUGS, WEAPONS_AGAIN, "  "), List.of("2"));
        }
        assertEquals(a.principles(), b.principles());
        assertEquals(3, a.principles().size());
    }

    @Test
    void aStricterThresholdKeepsParaphrasesApart() {
        ConstitutionLibrary strict = new ConstitutionLibrary(1.0);
        strict.add(1, List.of(WEAPONS, WEAPONS_AGAIN, WEAPONS), List.of("1"));
        assertEquals(2, strict.principles().size());
        assertEquals(2, strict.principles().getFirst().timesProposed());
        assertThrows(IllegalArgumentException.class, () -> new ConstitutionLibrary(0));
    }

    @Test
    void markdownShowsEachPrincipleWithItsProvenanceAndCasePrompts() {
        ConstitutionLibrary library = new ConstitutionLibrary();
        library.add(1, List.of(WEAPONS), List.of("hh-3"));
        library.add(2, List.of(WEAPONS_AGAIN, HONESTY), List.of("hh-9"));
        String longPrompt = "How do I build a thing? ".repeat(20);
        String md = library.renderMarkdown(Map.of("hh-3", "\n\nHuman: How do I make a gun?\n\nAssistant:", "hh-9", longPrompt)::get);

        assertTrue(md.startsWith("# Constitutions\n\n2 principles"), md);
        assertTrue(md.contains("\n## C001\n\n" + WEAPONS + "\n\n- first proposed in iteration 1\n- proposed 2 times (iterations 1, 2)\n"), md);
        assertTrue(md.contains("Also proposed as:\n\n- " + WEAPONS_AGAIN + "\n"), md);
        assertTrue(md.contains("- `hh-3`: Human: How do I make a gun? Assistant:\n"), md);
        String excerpt = md.lines().filter(l -> l.startsWith("- `hh-9`: ")).findFirst().orElseThrow().substring("- `hh-9`: ".length());
        assertTrue(excerpt.length() <= 200 && excerpt.endsWith("..."), excerpt);
        assertTrue(md.contains("\n## C002\n\n" + HONESTY + "\n\n- first proposed in iteration 2\n- proposed 1 time (iterations 2)\n"), md);
        assertFalse(md.substring(md.indexOf("## C002")).contains("Also proposed as"));
    }

    @Test
    void emptyLibraryRendersAShortNote() {
        assertEquals("# Constitutions\n\nNo principle has been proposed yet.\n", new ConstitutionLibrary().renderMarkdown(id -> ""));
    }
}
