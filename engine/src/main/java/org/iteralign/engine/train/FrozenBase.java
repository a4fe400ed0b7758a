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
 * The base model's weights as training reads them. The forward pass multiplies by the file's own
 * tensors with the engine's kernels, so with B = 0 it gives the inference pass's exact bits. The
 * backward pass multiplies by W from the other side, walking its columns, which quantised blocks make
 * costly, so each matrix is also dequantised once into an F32 copy for {@link Gemm} (off the Java
 * heap: ~540 MB for SmolLM2-135M).
 */
final class FrozenBase {
    /** One block; {@code weights} and {@code f32} are indexed by {@link Projection#ordinal()}. */
    record Layer(float[] attentionNorm, FloatTensor[] weights, MemorySegment[] f32,
                 float[] bq, float[] bk, float[] bv, float[] ffnNorm) {}

    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    final LlamaConfig config;
    final FloatTensor embedding;
    final List<Layer> layers;
    final float[] outputNorm;
    final FloatTensor output;
    final MemorySegment outputF32;
    final float[] ropeFactors;

    private FrozenBase(LlamaConfig config, FloatTensor embedding, List<Layer> layers, float[] outputNorm,
                       FloatTensor output, MemorySegment outputF32, float[] ropeFactors) {
        this.config = config;
        this.embedding = embedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.outputF32 = outputF32;
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
            FloatTensor[] w = new FloatTensor[Projection.values().length];
            MemorySegment[] t = new MemorySegment[w.length];
            for (Projection proj : Projection.values()) {
                w[proj.ordinal()] = FloatTensor.of(g.tensor(proj.ggufTensor(l)));
                t[proj.ordinal()] = dequantize(w[proj.ordinal()], proj.out(c), proj.in(c), arena);
            }
            layers.add(new Layer(vector(g, p + "attn_norm.weight"), w, t,
                    c.attentionBiases() ? vector(g, p + "attn_q.bias") : null,
                    c.attentionBiases() ? vector(g, p + "attn_k.bias") : null,
                    c.attentionBiases() ? vector(g, p + "attn_v.bias") : null,
                    vector(g, p + "ffn_norm.weight")));
        }
        FloatTensor embedding = FloatTensor.of(g.tensor("token_embd.weight"));
        FloatTensor output = g.findTensor("output.weight").map(FloatTensor::of).orElse(embedding);
        float[] factors;
        if (g.findTensor("rope_freqs.weight").isPresent()) {
            factors = vector(g, "rope_freqs.weight");
        } else {
            factors = new float[c.ropeDimensions() / 2];
            Arrays.fill(factors, 1f);
        }
        return new FrozenBase(c, embedding, List.copyOf(layers), vector(g, "output_norm.weight"), output,
                dequantize(output, c.vocabularySize(), c.embeddingLength(), arena), factors);
    }

    private static float[] vector(GgufFile g, String name) {
        GgufTensor t = g.tensor(name);
        float[] out = new float[(int) t.elementCount()];
        FloatTensor.of(t).dequantize(0, out, 0, out.length);
        return out;
    }

    /** W (rows x columns) as row-major little-endian F32. */
    private static MemorySegment dequantize(FloatTensor w, int rows, int columns, Arena arena) {
        MemorySegment seg = arena.allocate((long) rows * columns * Float.BYTES, 64);
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = new float[columns];
            w.dequantize((long) r * columns, row, 0, columns);
            MemorySegment.copy(row, 0, seg, FLOAT_LE, (long) r * columns * Float.BYTES, columns);
        });
        return seg;
    }
}
