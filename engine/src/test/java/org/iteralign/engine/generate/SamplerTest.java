package org.iteralign.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1f, 3f, 2.5f, -1f, 0f};

    @Test
    void greedyTakesTheArgmaxAndPenaltiesPushRepeatsDown() {
        Sampler s = new Sampler(SamplingParams.greedy(), 0);
        assertEquals(1, s.next(LOGITS));
        assertEquals(1, s.next(LOGITS));
        Sampler p = new Sampler(SamplingParams.greedy().withPenalties(0.3f, 0.3f), 0);
        assertEquals(1, p.next(LOGITS)); // 3.0 beats 2.5
        assertEquals(2, p.next(LOGITS)); // token 1 once: 3.0 - 0.3 - 0.3 = 2.4 < 2.5
        assertEquals(1, p.next(LOGITS)); // 2.4 beats token 2 once: 2.5 - 0.3 - 0.3 = 1.9
        assertArrayEquals(new float[] {1f, 3f, 2.5f, -1f, 0f}, LOGITS, "caller's logits untouched");
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        for (int seed = 0; seed < 20; seed++) {
            assertEquals(1, new Sampler(SamplingParams.of(1.5f, 1f, seed).withTopK(1), 0).next(LOGITS));
            assertEquals(1, new Sampler(SamplingParams.of(1.5f, 1e-6f, seed), 0).next(LOGITS));
        }
        assertArrayEquals(new int[] {1, 2, 0}, Sampler.topK(LOGITS, 3));
    }

    @Test
    void temperatureSamplingFollowsTheSoftmaxAndIsSeeded() {
        int n = 40_000;
        int[] counts = new int[LOGITS.length];
        Sampler s = new Sampler(SamplingParams.of(1f, 1f, 42), 0);
        for (int i = 0; i < n; i++) {
            counts[s.next(LOGITS)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int t = 0; t < LOGITS.length; t++) {
            double p = Math.exp(LOGITS[t]) / z;
            assertEquals(p, counts[t] / (double) n, 4 * Math.sqrt(p * (1 - p) / n) + 1e-3, "token " + t);
        }
        int[] a = draw(7, 0);
        assertArrayEquals(a, draw(7, 0), "same seed and sequence, same draws");
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(draw(7, 1)), "sequences differ");
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // Softmax of LOGITS: token 1 ~ 0.50, token 2 ~ 0.30, token 0 ~ 0.07 ... top-p 0.7 keeps {1, 2}.
        Sampler s = new Sampler(SamplingParams.of(1f, 0.7f, 3), 0);
        for (int i = 0; i < 2000; i++) {
            int t = s.next(LOGITS);
            assertTrue(t == 1 || t == 2, "sampled " + t);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.of(-1f, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.of(1f, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.of(Float.NaN, 1f, 0));
    }

    private static int[] draw(long seed, int sequence) {
        Sampler s = new Sampler(SamplingParams.of(2f, 1f, seed), sequence);
        int[] out = new int[30];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.next(LOGITS);
        }
        return out;
    }
}
