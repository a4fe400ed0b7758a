package org.iteralign.engine.model;

import java.util.Locale;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.gguf.GgufFile;

/**
 * The shape of a Llama-family transformer, read from GGUF metadata under the architecture's prefix.
 *
 * @param ropeDimensions   leading dimensions of each head that RoPE rotates (the rest pass through)
 * @param ropeScale        positions are multiplied by this before rotation (linear scaling: 1 / factor)
 * @param attentionBiases  whether Q, K and V have bias vectors (qwen2)
 */
public record LlamaConfig(
        String architecture,
        int embeddingLength,
        int blockCount,
        int feedForwardLength,
        int headCount,
        int headCountKv,
        int headSize,
        int vocabularySize,
        int contextLength,
        float rmsNormEps,
        float ropeFreqBase,
        int ropeDimensions,
        float ropeScale,
        RopeStyle ropeStyle,
        boolean attentionBiases) {

    public LlamaConfig {
        if (embeddingLength <= 0 || blockCount <= 0 || feedForwardLength <= 0 || headCount <= 0 || headCountKv <= 0
                || vocabularySize <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (headCount % headCountKv != 0) {
            throw new IllegalArgumentException(headCount + " heads cannot share " + headCountKv + " KV heads");
        }
        if (ropeDimensions <= 0 || ropeDimensions > headSize || ropeDimensions % 2 != 0) {
            throw new IllegalArgumentException("rope dimension count " + ropeDimensions + " for head size " + headSize);
        }
    }

    public int kvDim() {
        return headCountKv * headSize;
    }

    public int qDim() {
        return headCount * headSize;
    }

    static LlamaConfig from(GgufFile gguf, int vocabularySize) {
        String arch = gguf.getString("general.architecture");
        boolean qwen2 = arch.equals("qwen2");
        if (!arch.equals("llama") && !qwen2) {
            throw new ModelFormatException(gguf.path(), "unsupported architecture '" + arch + "' (supported: llama, qwen2)");
        }
        try {
            int dim = gguf.getInt(arch + ".embedding_length");
            int heads = gguf.getInt(arch + ".attention.head_count");
            int headSize = gguf.findInt(arch + ".attention.key_length").orElse(dim / heads);
            float scale = 1f;
            String scaling = gguf.findString(arch + ".rope.scaling.type").orElse("none").toLowerCase(Locale.ROOT);
            switch (scaling) {
                case "none" -> { }
                case "linear" -> scale = 1f / gguf.getFloat(arch + ".rope.scaling.factor");
                default -> throw new ModelFormatException(gguf.path(), "unsupported RoPE scaling '" + scaling + "'");
            }
            return new LlamaConfig(arch, dim,
                    gguf.getInt(arch + ".block_count"),
                    gguf.getInt(arch + ".feed_forward_length"),
                    heads,
                    gguf.findInt(arch + ".attention.head_count_kv").orElse(heads),
                    headSize,
                    vocabularySize,
                    gguf.getInt(arch + ".context_length"),
                    gguf.getFloat(arch + ".attention.layer_norm_rms_epsilon"),
                    gguf.findFloat(arch + ".rope.freq_base").orElse(10000f),
                    gguf.findInt(arch + ".rope.dimension_count").orElse(headSize),
                    scale,
                    qwen2 ? RopeStyle.NEOX : RopeStyle.INTERLEAVED,
                    qwen2);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gguf.path(), "bad model configuration: " + e.getMessage(), e);
        }
    }
}
