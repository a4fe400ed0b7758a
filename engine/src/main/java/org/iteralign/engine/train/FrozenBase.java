package org.iteralign.engine.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.gguf.GgufTensor;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.FloatTensor;

/**
 * The base model's weights as training reads them: each matrix dequantised once to F32, both as W
 * (for the backward pass, dx = dy W) and as W^T (for the forward pass, y = x W^T), because
 * {@link Gemm}'s outer-product kernel streams the rows of its right-hand matrix. That costs 8 bytes a
 * weight off the Java heap (about 1.1 GB for SmolLM2-135M) and makes the forward pass about three
 * times faster than the engine's dot-product kernels on the quantised file; the two agree to float
 * rounding (about 1e-5 on SmolLM2's logits).
 */
final class FrozenBase {
    /** One block; {@code weights} (W) and {@code transposed} (W^T) are indexed by {@link Projection#ordinal()}. */
    record Layer(float[] attentionNorm, MemorySegment[] weights, MemorySegment[] transposed,
                 float[] bq, float[] bk, float[] bv, float[] ffnNorm) {}

    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    final LlamaConfig config;
    final FloatTensor embedding;
    final List<Layer> layers;
    final float[] outputNorm;
    final MemorySegment output;
    final MemorySegment outputTransposed;
    final float[] ropeFactors;

    private FrozenBase(LlamaConfig config, FloatTensor embedding, List<Layer> layers, float[] outputNorm,
                       MemorySegment output, MemorySegment outputTransposed, float[] ropeFactors) {
        this.config = config;
        this.embedding = embedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.outputTransposed = outputTransposed;
        this.ropeFactors = ropeFactors;
    }

    /** Reads the tensors LlamaModel.load has already checked; the model must stay open while this is used. */
    static FrozenBase of(LlamaModel model) {
        GgufFile g = model.gguf();
        LlamaConfig c = model.config();
        Arena arena = Arena.ofAuto();
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.blockCount(); l++) {
            String p = "blk." + l + ".";
            MemorySegment[] w = new MemorySegment[Projection.values().length];
            MemorySegment[] t = new MemorySegment[w.length];
            for (Projection proj : Projection.values()) {
                FloatTensor file = FloatTensor.of(g.tensor(proj.ggufTensor(l)));
                w[proj.ordinal()] = dequantize(file, proj.out(c), proj.in(c), false, arena);
                t[proj.ordinal()] = dequantize(file, proj.out(c), proj.in(c), true, arena);
            }
            layers.add(new Layer(vector(g, p + "attn_norm.weight"), w, t,
                    c.attentionBiases() ? vector(g, p + "attn_q.bias") : null,
                    c.attentionBiases() ? vector(g, p + "attn_k.bias") : null,
                    c.attentionBiases() ? vector(g, p + "attn_v.bias") : null,
                    vector(g, p + "ffn_norm.weight")));
        }
        FloatTensor embedding = FloatTensor.of(g.tensor("token_embd.weight"));
        FloatTensor output = g.findTensor("output.weight").map(FloatTensor::of).orElse(embedding);
        int vocab = c.vocabularySize();
        int dim = c.embeddingLength();
        float[] factors;
        if (g.findTensor("rope_freqs.weight").isPresent()) {
            factors = vector(g, "rope_freqs.weight");
        } else {
            factors = new float[c.ropeDimensions() / 2];
            Arrays.fill(factors, 1f);
        }
        return new FrozenBase(c, embedding, List.copyOf(layers), vector(g, "output_norm.weight"),
                dequantize(output, vocab, dim, false, arena), dequantize(output, vocab, dim, true, arena), factors);
    }

    private static float[] vector(GgufFile g, String name) {
        GgufTensor t = g.tensor(name);
        float[] out = new float[(int) t.elementCount()];
        FloatTensor.of(t).dequantize(0, out, 0, out.length);
        return out;
    }

    /** W (rows x columns), or its transpose, as row-major little-endian F32. */
    private static MemorySegment dequantize(FloatTensor w, int rows, int columns, boolean transpose, Arena arena) {
        MemorySegment seg = arena.allocate((long) rows * columns * Float.BYTES, 64);
        int block = 64;
        IntStream.range(0, (rows + block - 1) / block).parallel().forEach(b -> {
            int r0 = b * block;
            int n = Math.min(block, rows - r0);
            float[] tile = new float[n * columns];
            w.dequantize((long) r0 * columns, tile, 0, n * columns);
            if (!transpose) {
                MemorySegment.copy(tile, 0, seg, FLOAT_LE, (long) r0 * columns * Float.BYTES, n * columns);
                return;
            }
            float[] column = new float[n];
            for (int col = 0; col < columns; col++) {
                for (int r = 0; r < n; r++) {
                    column[r] = tile[r * columns + col];
                }
                MemorySegment.copy(column, 0, seg, FLOAT_LE, ((long) col * rows + r0) * Float.BYTES, n);
            }
        });
        return seg;
    }
}
