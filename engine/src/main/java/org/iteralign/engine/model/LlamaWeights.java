package org.iteralign.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.gguf.GgufTensor;
import org.iteralign.engine.tensor.FloatTensor;

/**
 * The tensors of a Llama-family model, by llama.cpp's GGUF names. Matrices stay in their file format;
 * norms and biases are small and copied to float arrays.
 *
 * @param output          the unembedding; the token embedding itself when the file has no output.weight
 * @param ropeFreqFactors per rotated pair, the divisor of its frequency (Llama 3's rope_freqs), or all ones
 */
public record LlamaWeights(
        FloatTensor tokenEmbedding,
        List<Layer> layers,
        float[] outputNorm,
        FloatTensor output,
        float[] ropeFreqFactors) {

    /** One transformer block; the biases are null unless the config says the model has them. */
    public record Layer(
            float[] attentionNorm,
            FloatTensor wq, FloatTensor wk, FloatTensor wv, FloatTensor wo,
            float[] bq, float[] bk, float[] bv,
            float[] ffnNorm,
            FloatTensor gate, FloatTensor up, FloatTensor down) {}

    static LlamaWeights from(GgufFile gguf, LlamaConfig c) {
        Loader l = new Loader(gguf);
        int dim = c.embeddingLength();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.blockCount(); i++) {
            String p = "blk." + i + ".";
            layers.add(new Layer(
                    l.vector(p + "attn_norm.weight", dim),
                    l.matrix(p + "attn_q.weight", dim, c.qDim()),
                    l.matrix(p + "attn_k.weight", dim, c.kvDim()),
                    l.matrix(p + "attn_v.weight", dim, c.kvDim()),
                    l.matrix(p + "attn_output.weight", c.qDim(), dim),
                    c.attentionBiases() ? l.vector(p + "attn_q.bias", c.qDim()) : null,
                    c.attentionBiases() ? l.vector(p + "attn_k.bias", c.kvDim()) : null,
                    c.attentionBiases() ? l.vector(p + "attn_v.bias", c.kvDim()) : null,
                    l.vector(p + "ffn_norm.weight", dim),
                    l.matrix(p + "ffn_gate.weight", dim, c.feedForwardLength()),
                    l.matrix(p + "ffn_up.weight", dim, c.feedForwardLength()),
                    l.matrix(p + "ffn_down.weight", c.feedForwardLength(), dim)));
        }
        FloatTensor embedding = l.matrix("token_embd.weight", dim, c.vocabularySize());
        FloatTensor output = gguf.findTensor("output.weight").isPresent()
                ? l.matrix("output.weight", dim, c.vocabularySize())
                : embedding;
        float[] factors = gguf.findTensor("rope_freqs.weight").isPresent()
                ? l.vector("rope_freqs.weight", c.ropeDimensions() / 2)
                : ones(c.ropeDimensions() / 2);
        return new LlamaWeights(embedding, List.copyOf(layers), l.vector("output_norm.weight", dim), output, factors);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    /** Looks tensors up and checks their shapes, so a mismatched file fails at load, not mid-inference. */
    private record Loader(GgufFile gguf) {
        FloatTensor matrix(String name, long columns, long rows) {
            return computable(shaped(name, columns, rows));
        }

        float[] vector(String name, long length) {
            GgufTensor t = shaped(name, length);
            FloatTensor f = computable(t);
            float[] out = new float[(int) length];
            f.dequantize(0, out, 0, (int) length);
            return out;
        }

        private FloatTensor computable(GgufTensor t) {
            if (!t.type().computable()) {
                throw new ModelFormatException(gguf.path(), "tensor '" + t.name() + "' is " + t.type()
                        + ", which the engine cannot compute with (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)");
            }
            return FloatTensor.of(t);
        }

        private GgufTensor shaped(String name, long... dims) {
            Optional<GgufTensor> found = gguf.findTensor(name);
            GgufTensor t = found.orElseThrow(() -> new ModelFormatException(gguf.path(), "missing tensor '" + name + "'"));
            long[] actual = t.dims();
            boolean ok = actual.length >= dims.length;
            for (int i = 0; ok && i < actual.length; i++) {
                ok = actual[i] == (i < dims.length ? dims[i] : 1);
            }
            if (!ok) {
                throw new ModelFormatException(gguf.path(), "tensor '" + name + "' has shape "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(dims));
            }
            return t;
        }
    }
}
