package org.iteralign.core.redteam;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedTeamSamplerTest {
    private static List<RedTeamPrompt> prompts(int n) {
        return IntStream.range(0, n).mapToObj(i -> RedTeamPrompt.of("question " + i, null, "test:" + (i + 1))).toList();
    }

    private static Set<String> ids(List<RedTeamPrompt> prompts) {
        Set<String> ids = new HashSet<>();
        for (RedTeamPrompt p : prompts) ids.add(p.id());
        return ids;
    }

    @Test
    void sameSeedAndInputGiveTheSamePoolAndHeldOut() {
        var a = new RedTeamSampler(prompts(100), 7, 0, 0.2);
        var b = new RedTeamSampler(prompts(100), 7, 0, 0.2);
        assertEquals(a.trainingPool(), b.trainingPool());
        assertEquals(a.heldout(), b.heldout());
        var other = new RedTeamSampler(prompts(100), 8, 0, 0.2);
        assertNotEquals(a.trainingPool(), other.trainingPool());
        assertNotEquals(ids(a.heldout()), ids(other.heldout()));
    }

    /**
     * The order is specified as "by the signed big-endian first 8 bytes of SHA-256(seed as 8 big-endian bytes ||
     * UTF-8 text)", so it can be checked against an independent implementation; this order was computed with
     * Python's hashlib, and a JDK upgrade must not change it.
     */
    @Test
    void orderMatchesAnIndependentComputationOfTheSpecifiedRanking() {
        List<String> expected = List.of("question 2", "question 4", "question 0", "question 5", "question 6",
                "question 7", "question 9", "question 1", "question 8", "question 3");
        assertEquals(expected, new RedTeamSampler(prompts(10), 42, 0, 0.0).trainingPool().stream().map(RedTeamPrompt::text).toList());
    }

    @Test
    void orderIsShuffledNotTheInputOrder() {
        var sampler = new RedTeamSampler(prompts(50), 1, 0, 0.0);
        assertEquals(ids(prompts(50)), ids(sampler.trainingPool()));
        assertNotEquals(prompts(50), sampler.trainingPool());
    }

    @Test
    void orderDoesNotDependOnWhichOtherPromptsArePresent() {
        List<RedTeamPrompt> more = new ArrayList<>(prompts(60));
        Collections.reverse(more);
        var small = new RedTeamSampler(prompts(40), 3, 0, 0.0).trainingPool();
        var large = new RedTeamSampler(more, 3, 0, 0.0).trainingPool();
        Set<String> smallIds = ids(small);
        assertEquals(small, large.stream().filter(p -> smallIds.contains(p.id())).toList());
    }

    @Test
    void heldOutIsDisjointFromEverySlice() {
        var sampler = new RedTeamSampler(prompts(103), 11, 0, 0.2);
        Set<String> held = ids(sampler.heldout());
        Set<String> seen = new HashSet<>();
        for (int k = 0; ; k++) {
            List<RedTeamPrompt> slice = sampler.slice(k, 10);
            if (slice.isEmpty()) break;
            for (RedTeamPrompt p : slice) {
                assertTrue(seen.add(p.id()), "prompt served twice: " + p.id());
                assertFalse(held.contains(p.id()), "held-out prompt in slice " + k);
            }
        }
        assertEquals(103, seen.size() + held.size());
    }

    @Test
    void heldOutFractionRoundsToTheNearestPromptAndLeavesTrainingNonEmpty() {
        assertEquals(21, new RedTeamSampler(prompts(103), 1, 0, 0.2).heldout().size()); // 20.6
        assertEquals(20, new RedTeamSampler(prompts(102), 1, 0, 0.2).heldout().size()); // 20.4
        assertEquals(3, new RedTeamSampler(prompts(5), 1, 0, 0.5).heldout().size()); // 2.5 rounds half up
        assertEquals(0, new RedTeamSampler(prompts(2), 1, 0, 0.2).heldout().size()); // 0.4
        assertEquals(0, new RedTeamSampler(prompts(10), 1, 0, 0.0).heldout().size());
        var tiny = new RedTeamSampler(prompts(1), 1, 0, 0.9);
        assertEquals(0, tiny.heldout().size());
        assertEquals(1, tiny.trainingPool().size());
        var empty = new RedTeamSampler(List.of(), 1, 0, 0.2);
        assertTrue(empty.heldout().isEmpty() && empty.trainingPool().isEmpty() && empty.slice(0, 5).isEmpty());
    }

    @Test
    void duplicatesByExactTextKeepTheFirstOccurrence() {
        List<RedTeamPrompt> input = List.of(
                RedTeamPrompt.of("same", null, "a:1"),
                RedTeamPrompt.of("other", null, "a:2"),
                RedTeamPrompt.of("same", "\n\nHuman: same\n\nAssistant:", "b:1"),
                RedTeamPrompt.of("Same", null, "b:2"));
        var pool = new RedTeamSampler(input, 5, 0, 0.0).trainingPool();
        assertEquals(3, pool.size());
        RedTeamPrompt same = pool.stream().filter(p -> p.text().equals("same")).findFirst().orElseThrow();
        assertEquals("a:1", same.source());
    }

    @Test
    void limitAppliesAfterDeduplicationAndBeforeTheHeldOutSplit() {
        List<RedTeamPrompt> input = new ArrayList<>(prompts(30));
        input.addAll(prompts(30));
        var sampler = new RedTeamSampler(input, 9, 20, 0.25);
        assertEquals(5, sampler.heldout().size());
        assertEquals(15, sampler.trainingPool().size());
        Set<String> all = ids(sampler.trainingPool());
        all.addAll(ids(sampler.heldout()));
        assertEquals(20, all.size());
        var again = new RedTeamSampler(input, 9, 20, 0.25);
        assertEquals(sampler.trainingPool(), again.trainingPool());
        assertEquals(10, new RedTeamSampler(prompts(10), 9, 50, 0.0).trainingPool().size());
    }

    @Test
    void slicesFollowThePoolOrderAndEndWhenItIsExhausted() {
        var sampler = new RedTeamSampler(prompts(25), 2, 0, 0.0);
        List<RedTeamPrompt> pool = sampler.trainingPool();
        assertEquals(pool.subList(0, 10), sampler.slice(0, 10));
        assertEquals(pool.subList(10, 20), sampler.slice(1, 10));
        assertEquals(pool.subList(20, 25), sampler.slice(2, 10));
        assertTrue(sampler.slice(3, 10).isEmpty());
        assertTrue(sampler.slice(Integer.MAX_VALUE, 10).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> sampler.slice(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RedTeamSampler(prompts(3), 1, 0, 1.0));
    }
}
