package org.iteralign.core.constitution;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrincipleSimilarityTest {
    /** The hand-written pairs of {@code principle-pairs.json}: paraphrases that must merge, and principles that must not. */
    record Pairs(String about, List<List<String>> merge, List<List<String>> distinct) {
        static Pairs read() {
            try (InputStream in = PrincipleSimilarityTest.class.getResourceAsStream("principle-pairs.json")) {
                return JsonMapper.builder().build().readValue(in, Pairs.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final Pairs PAIRS = Pairs.read();

    @Test
    void fixtureHasAtLeastEightPairsOfEachKind() {
        assertTrue(PAIRS.merge().size() >= 8);
        assertTrue(PAIRS.distinct().size() >= 8);
    }

    @Test
    void paraphrasesReachTheThresholdAndDistinctPrinciplesStayBelowIt() {
        double threshold = ConstitutionLibrary.DEFAULT_THRESHOLD;
        List<String> wrong = new ArrayList<>();
        for (List<String> p : PAIRS.merge()) {
            double s = PrincipleSimilarity.similarity(p.get(0), p.get(1));
            if (s < threshold) wrong.add("should merge (%.3f): %s".formatted(s, p));
        }
        for (List<String> p : PAIRS.distinct()) {
            double s = PrincipleSimilarity.similarity(p.get(0), p.get(1));
            if (s >= threshold) wrong.add("should stay apart (%.3f): %s".formatted(s, p));
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void isSymmetricAndOneForTheSameWords() {
        String a = "Do not help with acquiring or making weapons.";
        String b = "Do not help with acquiring or making illegal drugs.";
        assertEquals(PrincipleSimilarity.similarity(a, b), PrincipleSimilarity.similarity(b, a));
        assertEquals(1.0, PrincipleSimilarity.similarity(a, "  do NOT help with making, or acquiring, weapons  "));
        assertEquals(0.0, PrincipleSimilarity.similarity("Protect privacy.", "Respect copyright."));
    }

    @Test
    void foldsWordFormsAndSynonyms() {
        assertEquals(PrincipleSimilarity.words("refuses weapons"), PrincipleSimilarity.words("refusing weapon"));
        assertEquals(PrincipleSimilarity.words("never provide"), PrincipleSimilarity.words("don't give"));
        assertEquals(PrincipleSimilarity.stem("respectfully"), PrincipleSimilarity.stem("respect"));
    }
}
