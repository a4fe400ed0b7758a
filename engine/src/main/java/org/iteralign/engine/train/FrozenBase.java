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
import org.iteralign.engine.tensor.GgmlType;

/**
 * The base model's weights as training reads them. The forward pass multiplies by the file's own
 * tensors with the engine's kernels, so with B = 0 it gives the inference pass's exact bits; the
 * backward pass needs W transposed, which no quantised format offers, so each matrix is also
 * dequantised once into an F32 copy of W^T (off the Java heap: ~540 MB for SmolLM2-135M).
 */
final class FrozenBase {
    /** One block; {@code weights} and {@code transposed} are indexed by {@link Projection#ordinal()}. */
    record Layer(float[] attentionNorm, FloatTensor[] weights, FloatTensor[] transposed,
                 float[] bq, float[] bk, float[] bv, float[] ffnNorm) {}

    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    final LlamaConfig config;
    final FloatTensor embedding;
    final List<Layer> layers;
    final float[] outputNorm;
    final FloatTensor output;
    final FloatTensor outputTransposed;
    final float[] ropeFactors;

    private FrozenBase(LlamaConfig config, FloatTensor embedding, List<Layer> layers, float[] outputNorm,
                       FloatTensor output, FloatTensor outputTransposed, float[] ropeFactors) {
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
            FloatTensor[] w = new FloatTensor[Projection.values().length];
            FloatTensor[] t = new FloatTensor[w.length];
            for (Projection proj : Projection.values()) {
                w[proj.ordinal()] = FloatTensor.of(g.tensor(proj.ggufTensor(l)));
                t[proj.ordinal()] = transpose(w[proj.ordinal()], proj.out(c), proj.in(c), arena);
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
                transpose(output, c.vocabularySize(), c.embeddingLength(), arena), factors);
    }

    private static float[] vector(GgufFile g, String name) {
        GgufTensor t = g.tensor(name);
        float[] out = new float[(int) t.elementCount()];
        FloatTensor.of(t).dequantize(0, out, 0, out.length);
        return out;
    }

    /** W (rows x columns) to an F32 tensor of W^T (columns x rows). */
    private static FloatTensor transpose(FloatTensor w, int rows, int columns, Arena arena) {
        MemorySegment seg = arena.allocate((long) rows * columns * Float.BYTES, 64);
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = new float[columns];
            w.dequantize((long) r * columns, row, 0, columns);
            for (int c = 0; c < columns; c++) {
                seg.set(FLOAT_LE, ((long) c * rows + r) * Float.BYTES, row[c]);
            }
        });
        return FloatTensor.of(GgmlType.F32, seg, (long) rows * columns);
    }
}
