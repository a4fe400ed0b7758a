package org.iteralign.engine.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iteralign.engine.gguf.GgufWriter;
import org.iteralign.engine.tensor.GgmlType;

/**
 * One of the tiny random models of {@code src/test/python/tiny_quant_models.py}, rebuilt value for value: each
 * tensor is drawn from its own seed by a counter-based splitmix64, exact in float32, in the script's order.
 * Every matrix row is 256 values long, one K-quant super-block.
 */
public record TinyQuantModel(String name, String architecture, int kvHeads, float ropeBase, boolean tied,
                             float[] ropeFactors, List<Tensor> tensors) {
    public static final int DIM = 256;
    public static final int HEADS = 4;
    public static final int FFN = 256;
    public static final int VOCAB = 256;
    public static final int LAYERS = 2;
    static final float RMS_EPS = 1e-5f;
    static final int CONTEXT = 128;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** {@code dims[0]} varies fastest, as in GGUF; matrices have two dims, vectors one. */
    public record Tensor(String name, long[] dims, float[] values) {
        boolean matrix() {
            return dims.length == 2;
        }
    }

    /** The model a variant of the script's JSON describes. */
    static TinyQuantModel of(Map<String, Object> variant) {
        float[] factors = null;
        if (variant.get("rope_factors") instanceof List<?> list) {
            factors = new float[list.size()];
            for (int i = 0; i < factors.length; i++) {
                factors[i] = ((Number) list.get(i)).floatValue();
            }
        }
        return create((String) variant.get("name"), (String) variant.get("architecture"),
                ((Number) variant.get("seed")).longValue(), ((Number) variant.get("kv_heads")).intValue(),
                ((Number) variant.get("rope_base")).floatValue(), (Boolean) variant.get("tied"), factors);
    }

    public static TinyQuantModel create(String name, String arch, long seed, int kvHeads, float ropeBase, boolean tied,
                                        float[] ropeFactors) {
        int kv = kvHeads * (DIM / HEADS);
        List<Tensor> t = new ArrayList<>();
        Draw d = new Draw(seed, t);
        d.matrix("token_embd.weight", VOCAB, DIM);
        d.norm("output_norm.weight", DIM);
        if (!tied) {
            d.matrix("output.weight", VOCAB, DIM);
        }
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            d.norm(p + "attn_norm.weight", DIM);
            d.matrix(p + "attn_q.weight", DIM, DIM);
            d.matrix(p + "attn_k.weight", kv, DIM);
            d.matrix(p + "attn_v.weight", kv, DIM);
            d.matrix(p + "attn_output.weight", DIM, DIM);
            if (arch.equals("qwen2")) {
                d.bias(p + "attn_q.bias", DIM);
                d.bias(p + "attn_k.bias", kv);
                d.bias(p + "attn_v.bias", kv);
            }
            d.norm(p + "ffn_norm.weight", DIM);
            d.matrix(p + "ffn_gate.weight", FFN, DIM);
            d.matrix(p + "ffn_up.weight", FFN, DIM);
            d.matrix(p + "ffn_down.weight", DIM, FFN);
        }
        if (ropeFactors != null) {
            t.add(new Tensor("rope_freqs.weight", new long[] {ropeFactors.length}, ropeFactors.clone()));
        }
        return new TinyQuantModel(name, arch, kvHeads, ropeBase, tied, ropeFactors, List.copyOf(t));
    }

    /** Writes the model with every matrix in {@code type} and the vectors in F32, as llama.cpp's pure quantisation does. */
    public Path write(Path file, GgmlType type) throws IOException {
        String a = architecture;
        GgufWriter w = new GgufWriter()
                .put("general.architecture", a)
                .put(a + ".context_length", CONTEXT)
                .put(a + ".embedding_length", DIM)
                .put(a + ".block_count", LAYERS)
                .put(a + ".feed_forward_length", FFN)
                .put(a + ".attention.head_count", HEADS)
                .put(a + ".attention.head_count_kv", kvHeads)
                .put(a + ".attention.layer_norm_rms_epsilon", RMS_EPS)
                .put(a + ".rope.freq_base", ropeBase)
                .put(a + ".rope.dimension_count", DIM / HEADS);
        for (Tensor t : tensors) {
            GgmlType tt = t.matrix() ? type : GgmlType.F32;
            w.tensor(t.name(), t.dims(), tt, GgmlReferenceEncoders.encode(t.values(), tt));
        }
        return w.write(file);
    }

    /** splitmix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Draws tensors in order; the n-th tensor of a model with seed s uses seed mix(1000 s + n). */
    private record Draw(long seed, List<Tensor> out) {
        void matrix(String name, int rows, int cols) {
            add(name, new long[] {cols, rows}, rows * cols, 0.25, -0.125);
        }

        void bias(String name, int n) {
            add(name, new long[] {n}, n, 0.25, -0.125);
        }

        void norm(String name, int n) {
            add(name, new long[] {n}, n, 0.5, 0.75);
        }

        /** Values {@code offset + scale * u} with u uniform in [0, 1) on 24 bits, computed in double and rounded once. */
        private void add(String name, long[] dims, int n, double scale, double offset) {
            long s = mix(seed * 1000 + out.size());
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double u = (mix(s + (i + 1) * GOLDEN) >>> 40) * 0x1p-24;
                v[i] = (float) (offset + u * scale);
            }
            out.add(new Tensor(name, dims, v));
        }
    }
}
