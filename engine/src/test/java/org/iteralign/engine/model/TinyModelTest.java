package org.iteralign.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny random F32 models written as GGUF by the test, against {@link Reference}: the transformer spelled
 * out in double precision with plain loops. Sizes are odd on purpose (vector tails, GQA groups).
 */
public class TinyModelTest {
    static final int DIM = 40;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int HEAD_SIZE = DIM / HEADS;
    static final int FFN = 56;
    public static final int VOCAB = 23;
    static final int LAYERS = 2;

    @TempDir
    Path dir;

    /** The model's tensors, kept to feed the reference. */
    public record Spec(String arch, boolean tied, float[] ropeFactors, float[] embedding, float[] output, float[] outputNorm,
                List<float[][]> layers) {}

    public static Spec randomSpec(String arch, boolean tied, boolean ropeFactors, long seed) {
        Random rnd = new Random(seed);
        List<float[][]> layers = new ArrayList<>();
        int kv = KV_HEADS * HEAD_SIZE;
        boolean bias = arch.equals("qwen2");
        for (int l = 0; l < LAYERS; l++) {
            layers.add(new float[][] {
                    norm(rnd, DIM), mat(rnd, DIM * DIM), mat(rnd, kv * DIM), mat(rnd, kv * DIM), mat(rnd, DIM * DIM),
                    bias ? mat(rnd, DIM) : null, bias ? mat(rnd, kv) : null, bias ? mat(rnd, kv) : null,
                    norm(rnd, DIM), mat(rnd, FFN * DIM), mat(rnd, FFN * DIM), mat(rnd, DIM * FFN)});
        }
        float[] factors = null;
        if (ropeFactors) {
            factors = new float[HEAD_SIZE / 2];
            for (int i = 0; i < factors.length; i++) {
                factors[i] = 1 + 3 * rnd.nextFloat();
            }
        }
        float[] embedding = mat(rnd, VOCAB * DIM);
        return new Spec(arch, tied, factors, embedding, tied ? embedding : mat(rnd, VOCAB * DIM), norm(rnd, DIM), layers);
    }

    public static Path write(Spec s, Path file) throws IOException {
        String a = s.arch();
        GgufWriter w = new GgufWriter()
                .put("general.architecture", a)
                .put(a + ".embedding_length", DIM)
                .put(a + ".block_count", LAYERS)
                .put(a + ".feed_forward_length", FFN)
                .put(a + ".attention.head_count", HEADS)
                .put(a + ".attention.head_count_kv", KV_HEADS)
                .put(a + ".context_length", 64)
                .put(a + ".attention.layer_norm_rms_epsilon", 1e-5f)
                .put(a + ".rope.freq_base", 10000f)
                .tensor("token_embd.weight", s.embedding(), DIM, VOCAB)
                .tensor("output_norm.weight", s.outputNorm(), DIM);
        if (!s.tied()) {
            w.tensor("output.weight", s.output(), DIM, VOCAB);
        }
        if (s.ropeFactors() != null) {
            w.tensor("rope_freqs.weight", s.ropeFactors(), HEAD_SIZE / 2);
        }
        int kv = KV_HEADS * HEAD_SIZE;
        for (int l = 0; l < LAYERS; l++) {
            float[][] t = s.layers().get(l);
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", t[0], DIM)
                    .tensor(p + "attn_q.weight", t[1], DIM, DIM)
                    .tensor(p + "attn_k.weight", t[2], DIM, kv)
                    .tensor(p + "attn_v.weight", t[3], DIM, kv)
                    .tensor(p + "attn_output.weight", t[4], DIM, DIM)
                    .tensor(p + "ffn_norm.weight", t[8], DIM)
                    .tensor(p + "ffn_gate.weight", t[9], DIM, FFN)
                    .tensor(p + "ffn_up.weight", t[10], DIM, FFN)
                    .tensor(p + "ffn_down.weight", t[11], FFN, DIM);
            if (t[5] != null) {
                w.tensor(p + "attn_q.bias", t[5], DIM).tensor(p + "attn_k.bias", t[6], kv).tensor(p + "attn_v.bias", t[7], kv);
            }
        }
        return w.write(file);
    }

    private static float[] mat(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        return a;
    }

    private static float[] norm(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.5f + rnd.nextFloat();
        }
        return a;
    }

    @Test
    void llamaTiedGqaMatchesReference() throws IOException {
        checkAgainstReference(randomSpec("llama", true, false, 1));
    }

    @Test
    void qwen2WithBiasesAndUntiedOutputMatchesReference() throws IOException {
        checkAgainstReference(randomSpec("qwen2", false, false, 2));
    }

    @Test
    void llama3RopeFrequencyFactorsMatchReference() throws IOException {
        checkAgainstReference(randomSpec("llama", false, true, 3));
    }

    private void checkAgainstReference(Spec spec) throws IOException {
        int[] tokens = {3, 17, 0, 22, 5, 5, 9};
        double[][] expected = new Reference(spec).logits(tokens);
        try (LlamaModel model = LlamaModel.load(write(spec, dir.resolve(spec.arch() + ".gguf")))) {
            assertEquals(spec.arch().equals("qwen2") ? RopeStyle.NEOX : RopeStyle.INTERLEAVED, model.config().ropeStyle());
            KvCache cache = model.newCache();
            // A prefill of four tokens, then one token per step, like generation.
            List<float[]> got = new ArrayList<>(List.of(
                    model.forward(List.of(cache), List.of(new int[] {3, 17, 0, 22}), LlamaModel.Logits.ALL).get(0)));
            for (int i = 4; i < tokens.length; i++) {
                got.add(model.forward(List.of(cache), List.of(new int[] {tokens[i]}), LlamaModel.Logits.LAST).get(0)[0]);
            }
            assertEquals(tokens.length, cache.length());
            for (int p = 0; p < tokens.length; p++) {
                for (int v = 0; v < VOCAB; v++) {
                    assertEquals(expected[p][v], got.get(p)[v], 1e-5 * Math.max(1, Math.abs(expected[p][v])),
                            "position " + p + " token " + v);
                }
            }
        }
    }

    @Test
    void rowsDoNotDependOnTheBatch() throws IOException {
        Spec spec = randomSpec("llama", true, false, 4);
        try (LlamaModel model = LlamaModel.load(write(spec, dir.resolve("b.gguf")))) {
            int[] prompt = {1, 2, 3, 4, 5};
            float[][] alone = model.forward(List.of(model.newCache()), List.of(prompt), LlamaModel.Logits.ALL).get(0);
            List<KvCache> caches = new ArrayList<>();
            List<int[]> batch = new ArrayList<>();
            Random rnd = new Random(9);
            for (int s = 0; s < 7; s++) {
                caches.add(model.newCache());
                batch.add(s == 3 ? prompt : rnd.ints(1 + rnd.nextInt(9), 0, VOCAB).toArray());
            }
            float[][] inBatch = model.forward(caches, batch, LlamaModel.Logits.ALL).get(3);
            for (int p = 0; p < prompt.length; p++) {
                assertArrayEquals(alone[p], inBatch[p], "bit-identical at position " + p);
            }
        }
    }

    @Test
    void copiedCacheContinuesLikeTheOriginal() throws IOException {
        Spec spec = randomSpec("llama", true, false, 5);
        try (LlamaModel model = LlamaModel.load(write(spec, dir.resolve("c.gguf")))) {
            KvCache a = model.newCache();
            model.forward(List.of(a), List.of(new int[] {1, 2, 3}), LlamaModel.Logits.LAST);
            KvCache b = a.copy();
            float[] la = model.forward(List.of(a), List.of(new int[] {4}), LlamaModel.Logits.LAST).get(0)[0];
            float[] lb = model.forward(List.of(b), List.of(new int[] {4}), LlamaModel.Logits.LAST).get(0)[0];
            assertArrayEquals(la, lb);
            a.truncate(3);
            assertArrayEquals(la, model.forward(List.of(a), List.of(new int[] {4}), LlamaModel.Logits.LAST).get(0)[0]);
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(a, a), List.of(new int[] {1}, new int[] {2}), LlamaModel.Logits.LAST));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(b), List.of(new int[] {VOCAB}), LlamaModel.Logits.LAST));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(model.newCache()), List.of(new int[65]), LlamaModel.Logits.LAST));
        }
    }

    @Test
    void missingOrMisshapenTensorsAreFormatErrors() throws IOException {
        Spec spec = randomSpec("llama", true, false, 6);
        Path ok = write(spec, dir.resolve("ok.gguf"));
        Path bad = new GgufWriter().put("general.architecture", "llama").put("llama.embedding_length", DIM)
                .tensor("token_embd.weight", new float[DIM * VOCAB], DIM, VOCAB).write(dir.resolve("bad.gguf"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaModel.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        Path gpt2 = new GgufWriter().put("general.architecture", "gpt2")
                .tensor("token_embd.weight", new float[DIM * VOCAB], DIM, VOCAB).write(dir.resolve("gpt2.gguf"));
        assertTrue(assertThrows(ModelFormatException.class, () -> LlamaModel.load(gpt2)).getMessage().contains("gpt2"));
        try (LlamaModel m = LlamaModel.load(ok)) {
            assertEquals(VOCAB, m.config().vocabularySize());
        }
    }

    /** The transformer in double precision, written for clarity rather than speed. */
    static final class Reference {
        private final Spec s;

        Reference(Spec s) {
            this.s = s;
        }

        double[][] logits(int[] tokens) {
            int n = tokens.length;
            int kvDim = KV_HEADS * HEAD_SIZE;
            double[][] x = new double[n][DIM];
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < DIM; i++) {
                    x[t][i] = s.embedding()[tokens[t] * DIM + i];
                }
            }
            for (float[][] w : s.layers()) {
                double[][] q = new double[n][];
                double[][] k = new double[n][];
                double[][] v = new double[n][];
                for (int t = 0; t < n; t++) {
                    double[] h = rms(x[t], w[0]);
                    q[t] = rope(add(mul(w[1], DIM, DIM, h), w[5]), HEADS, t);
                    k[t] = rope(add(mul(w[2], kvDim, DIM, h), w[6]), KV_HEADS, t);
                    v[t] = add(mul(w[3], kvDim, DIM, h), w[7]);
                }
                for (int t = 0; t < n; t++) {
                    double[] att = new double[DIM];
                    for (int hd = 0; hd < HEADS; hd++) {
                        int kh = hd / (HEADS / KV_HEADS);
                        double[] score = new double[t + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int u = 0; u <= t; u++) {
                            for (int i = 0; i < HEAD_SIZE; i++) {
                                score[u] += q[t][hd * HEAD_SIZE + i] * k[u][kh * HEAD_SIZE + i];
                            }
                            score[u] /= Math.sqrt(HEAD_SIZE);
                            max = Math.max(max, score[u]);
                        }
                        double sum = 0;
                        for (int u = 0; u <= t; u++) {
                            score[u] = Math.exp(score[u] - max);
                            sum += score[u];
                        }
                        for (int u = 0; u <= t; u++) {
                            for (int i = 0; i < HEAD_SIZE; i++) {
                                att[hd * HEAD_SIZE + i] += score[u] / sum * v[u][kh * HEAD_SIZE + i];
                            }
                        }
                    }
                    x[t] = add(x[t], mul(w[4], DIM, DIM, att));
                    double[] h = rms(x[t], w[8]);
                    double[] g = mul(w[9], FFN, DIM, h);
                    double[] up = mul(w[10], FFN, DIM, h);
                    for (int i = 0; i < FFN; i++) {
                        g[i] = g[i] / (1 + Math.exp(-g[i])) * up[i];
                    }
                    x[t] = add(x[t], mul(w[11], DIM, FFN, g));
                }
            }
            double[][] out = new double[n][];
            for (int t = 0; t < n; t++) {
                out[t] = mul(s.output(), VOCAB, DIM, rms(x[t], s.outputNorm()));
            }
            return out;
        }

        private double[] rope(double[] vec, int heads, int pos) {
            double[] r = vec.clone();
            boolean neox = s.arch().equals("qwen2");
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < HEAD_SIZE / 2; i++) {
                    double freq = Math.pow(10000, -2.0 * i / HEAD_SIZE) / (s.ropeFactors() == null ? 1 : s.ropeFactors()[i]);
                    double angle = pos * freq;
                    int a = h * HEAD_SIZE + (neox ? i : 2 * i);
                    int b = neox ? a + HEAD_SIZE / 2 : a + 1;
                    r[a] = vec[a] * Math.cos(angle) - vec[b] * Math.sin(angle);
                    r[b] = vec[a] * Math.sin(angle) + vec[b] * Math.cos(angle);
                }
            }
            return r;
        }

        private static double[] rms(double[] x, float[] w) {
            double ss = 0;
            for (double v : x) {
                ss += v * v;
            }
            double scale = 1 / Math.sqrt(ss / x.length + 1e-5);
            double[] o = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                o[i] = x[i] * scale * w[i];
            }
            return o;
        }

        /** Row-major [rows][cols] weights (ggml's dims are [cols, rows]) times a column vector. */
        private static double[] mul(float[] w, int rows, int cols, double[] x) {
            double[] o = new double[rows];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    o[r] += w[r * cols + c] * x[c];
                }
            }
            return o;
        }

        private static double[] add(double[] a, float[] b) {
            if (b == null) {
                return a;
            }
            double[] o = a.clone();
            for (int i = 0; i < o.length; i++) {
                o[i] += b[i];
            }
            return o;
        }

        private static double[] add(double[] a, double[] b) {
            double[] o = a.clone();
            for (int i = 0; i < o.length; i++) {
                o[i] += b[i];
            }
            return o;
        }
    }
}
