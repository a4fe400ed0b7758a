package org.iteralign.engine.model;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iteralign.engine.json.Json;
import org.iteralign.engine.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real SmolLM2 against two references recorded for the same token ids by the scripts in
 * src/test/python: an exact float64 numpy forward pass over the dequantised weights, and llama.cpp.
 * The first checks the maths; the second checks we behave like the engine people compare us with.
 */
class ReferenceLogitsTest {
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(TestModels.smolLm2());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void matchesExactFloat64Reference() throws IOException {
        Comparison c = compare("smollm2-float64-logits.json", 1e-3);
        assertTrue(c.sampleMeanDiff() <= 1e-3, c.toString());
        assertTrue(c.maxDiff() <= 1e-2, c.toString());
        assertEquals(c.decisive(), c.agreed(), c.toString());
    }

    /**
     * llama.cpp itself is 0.18 (mean |diff| at the last positions) from the exact float64 logits on
     * this model, and 0.06 to 0.22 from its own recorded logits when only its arithmetic changes (on the
     * first eight prompts: token by token instead of one batch 0.06, f32 instead of f16 KV cache 0.15,
     * flash attention 0.22). It rounds every matrix product's input to 8-bit blocks, and that rounding
     * amplifies the smallest difference. A scalar prototype that copied llama.cpp's x86 arithmetic (Q8_1/Q8_0
     * activation blocks with their f16 scale and sum, the dot products' eight-lane integer sums, f16 keys,
     * values, queries and attention weights, ggml's polynomial exp, float RMS mean) came to 0.129 and 427 of 429
     * top-1 agreements; grouping the integer sums in sixteen lanes instead of eight gave 0.150, and leaving out
     * the f16 sum 0.19. Within that prototype, changing the rotary products' rounding by one ulp moved the
     * logits by 0.072 to 0.079: the floor any copy short of bit-exact stands on. The copy ran 20 times slower
     * and still missed 0.1, so the engine keeps the exact arithmetic (float64 to 1e-5) and this bound stays at 0.25.
     */
    @Test
    void staysCloseToLlamaCpp() throws IOException {
        Comparison c = compare("smollm2-llamacpp-logits.json", 0.1);
        assertTrue(c.cases() >= 30);
        assertTrue(c.sampleMeanDiff() <= 0.25, c.toString());
        assertTrue(c.topMeanDiff() <= 0.25, c.toString());
        assertTrue(c.agreed() >= 0.98 * c.decisive(), c.toString());
        Comparison clear = compare("smollm2-llamacpp-logits.json", 1.0);
        assertEquals(clear.decisive(), clear.agreed(), clear.toString());
    }

    record Comparison(String reference, int cases, int positions, double sampleMeanDiff, double topMeanDiff,
                      double maxDiff, double margin, int decisive, int agreed, double seconds) {
        @Override
        public String toString() {
            return String.format("%s: %d prompts, %d positions in one batch (%.1f s): mean |logit diff| %.5f over"
                            + " the vocabulary sample at last positions, %.5f over top-5 everywhere, max %.4f;"
                            + " top-1 agrees at %d of %d positions with reference margin >= %.3g",
                    reference, cases, positions, seconds, sampleMeanDiff, topMeanDiff, maxDiff, agreed, decisive, margin);
        }
    }

    /** Runs every recorded prompt as one batch and measures the distance to the recorded logits. */
    static Comparison compare(String resource, double margin) throws IOException {
        Map<String, Object> ref = vectors(resource);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) ref.get("cases");
        int[] sampleIds = ints(ref.get("sample_ids"));
        List<KvCache> caches = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            caches.add(model.newCache());
            tokens.add(ints(c.get("tokens")));
        }
        long t0 = System.nanoTime();
        List<float[][]> logits = model.forward(caches, tokens, LlamaModel.Logits.ALL);
        double seconds = (System.nanoTime() - t0) / 1e9;

        double sampleDiff = 0;
        double topDiff = 0;
        double maxDiff = 0;
        int topCount = 0;
        int decisive = 0;
        int agreed = 0;
        for (int k = 0; k < cases.size(); k++) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> positions = (List<Map<String, Object>>) cases.get(k).get("positions");
            float[][] mine = logits.get(k);
            assertEquals(positions.size(), mine.length);
            for (int p = 0; p < mine.length; p++) {
                int[] ids = ints(positions.get(p).get("ids"));
                double[] theirs = doubles(positions.get(p).get("logits"));
                for (int j = 0; j < ids.length; j++) {
                    double d = Math.abs(mine[p][ids[j]] - theirs[j]);
                    topDiff += d;
                    topCount++;
                    maxDiff = Math.max(maxDiff, d);
                }
                if (theirs[0] - theirs[1] >= margin) {
                    decisive++;
                    if (argmax(mine[p]) == ids[0]) {
                        agreed++;
                    }
                }
            }
            double[] last = doubles(cases.get(k).get("last_sample"));
            for (int j = 0; j < sampleIds.length; j++) {
                double d = Math.abs(mine[mine.length - 1][sampleIds[j]] - last[j]);
                sampleDiff += d;
                maxDiff = Math.max(maxDiff, d);
            }
        }
        int rows = tokens.stream().mapToInt(t -> t.length).sum();
        Comparison c = new Comparison(resource, cases.size(), rows, sampleDiff / (cases.size() * sampleIds.length),
                topDiff / topCount, maxDiff, margin, decisive, agreed, seconds);
        System.out.println(c);
        return c;
    }

    static Map<String, Object> vectors(String resource) throws IOException {
        try (InputStream in = ReferenceLogitsTest.class.getResourceAsStream(resource)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return m;
        }
    }

    static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    private static double[] doubles(Object list) {
        return ((List<?>) list).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
