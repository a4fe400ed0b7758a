package org.iteralign.engine.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.tensor.CoreTeam;
import org.iteralign.engine.tensor.FloatArrays;
import org.iteralign.engine.tensor.FloatTensor;

/**
 * A Llama-family transformer (Llama 2/3, SmolLM2, Mistral, Qwen2) running on the weights of a GGUF file
 * or a Hugging Face safetensors checkpoint.
 *
 * <p>{@link #forward} advances a batch of sequences together: all tokens of all sequences are rows of
 * one activation matrix, so each weight matrix is read once per step however many sequences there
 * are; attention is per sequence against its own {@link KvCache}. Every row is computed the same way
 * whatever else is in the batch, so results do not depend on batching.
 *
 * <p>Thread safety: one forward call at a time per cache; the model itself is immutable.
 */
public final class LlamaModel implements AutoCloseable {
    /** Which rows of a forward step to turn into next-token logits. */
    public enum Logits {
        /** Only after each sequence's last token: generation. */
        LAST,
        /** After every token: scoring. */
        ALL
    }

    /** Multiply-adds of attention per layer above which it is split across cores. */
    private static final long PARALLEL_ATTENTION_WORK = 1 << 16;

    private final Path source;
    /** Null when the weights came from a Hugging Face folder. */
    private final GgufFile gguf;
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final Runnable unmap;

    LlamaModel(Path source, GgufFile gguf, LlamaConfig config, LlamaWeights weights, Runnable unmap) {
        this.source = source;
        this.gguf = gguf;
        this.config = config;
        this.weights = weights;
        this.unmap = unmap;
    }

    /**
     * Maps a GGUF file, or a Hugging Face model folder (config.json and safetensors in F32, F16 or BF16),
     * and checks every tensor the model needs; close the model to unmap it.
     */
    public static LlamaModel load(Path fileOrFolder) {
        if (Files.isDirectory(fileOrFolder)) {
            return HfCheckpoint.load(fileOrFolder);
        }
        GgufFile gguf = GgufFile.open(fileOrFolder);
        try {
            int vocab = (int) gguf.tensor("token_embd.weight").dim(1);
            LlamaConfig config = LlamaConfig.from(gguf, vocab);
            return new LlamaModel(fileOrFolder, gguf, config, LlamaWeights.from(gguf, config), gguf::close);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** The tensors the forward pass reads, valid until the model is closed. */
    public LlamaWeights weights() {
        return weights;
    }

    /** The GGUF file or Hugging Face folder the model came from. */
    public Path source() {
        return source;
    }

    /** The GGUF file, for its tokenizer and chat template metadata; empty for a Hugging Face folder. */
    public Optional<GgufFile> ggufFile() {
        return Optional.ofNullable(gguf);
    }

    /**
     * The GGUF file the model came from.
     *
     * @throws IllegalStateException if it came from a Hugging Face folder (see {@link #ggufFile()})
     */
    public GgufFile gguf() {
        if (gguf == null) {
            throw new IllegalStateException(source + " is a Hugging Face folder, not a GGUF file");
        }
        return gguf;
    }

    public KvCache newCache() {
        return new KvCache(config);
    }

    /**
     * Appends {@code tokens.get(i)} to sequence {@code caches.get(i)} for every i, in one pass.
     *
     * @return per sequence, the logits after each of its new tokens ({@link Logits#ALL}) or after its
     *         last one only ({@link Logits#LAST}; none if it got no tokens)
     */
    public List<float[][]> forward(List<KvCache> caches, List<int[]> tokens, Logits which) {
        if (caches.size() != tokens.size()) {
            throw new IllegalArgumentException(caches.size() + " caches but " + tokens.size() + " token arrays");
        }
        Set<KvCache> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        int rows = 0;
        for (int s = 0; s < caches.size(); s++) {
            if (!distinct.add(caches.get(s))) {
                throw new IllegalArgumentException("the same cache appears twice in one batch");
            }
            for (int t : tokens.get(s)) {
                if (t < 0 || t >= config.vocabularySize()) {
                    throw new IllegalArgumentException("token id " + t + " outside the vocabulary of " + config.vocabularySize());
                }
            }
            caches.get(s).reserve(caches.get(s).length() + tokens.get(s).length);
            rows += tokens.get(s).length;
        }
        KvCache[] rowCache = new KvCache[rows];
        int[] rowPos = new int[rows];
        float[][] x = new float[rows][config.embeddingLength()];
        int r = 0;
        for (int s = 0; s < caches.size(); s++) {
            KvCache c = caches.get(s);
            int[] ts = tokens.get(s);
            for (int i = 0; i < ts.length; i++, r++) {
                rowCache[r] = c;
                rowPos[r] = c.length() + i;
                weights.tokenEmbedding().dequantize((long) ts[i] * config.embeddingLength(), x[r], 0, config.embeddingLength());
            }
        }
        float[][] angles = new float[rows][];
        for (r = 0; r < rows; r++) {
            angles[r] = ropeAngles(rowPos[r]);
        }
        for (int l = 0; l < config.blockCount(); l++) {
            layer(l, weights.layers().get(l), x, rowCache, rowPos, angles);
        }
        for (int s = 0; s < caches.size(); s++) {
            caches.get(s).advance(tokens.get(s).length);
        }
        return logits(x, tokens, which);
    }

    private void layer(int l, LlamaWeights.Layer w, float[][] x, KvCache[] rowCache, int[] rowPos, float[][] angles) {
        int rows = x.length;
        LlamaConfig c = config;
        float[][] xb = rmsNorm(x, w.attentionNorm());
        float[][] q = new float[rows][c.qDim()];
        float[][] k = new float[rows][c.kvDim()];
        float[][] v = new float[rows][c.kvDim()];
        FloatTensor.matmul(xb, List.of(w.wq(), w.wk(), w.wv()), List.of(q, k, v));
        for (int r = 0; r < rows; r++) {
            if (c.attentionBiases()) {
                addInPlace(q[r], w.bq());
                addInPlace(k[r], w.bk());
                addInPlace(v[r], w.bv());
            }
            rope(q[r], c.headCount(), angles[r]);
            rope(k[r], c.headCountKv(), angles[r]);
            rowCache[r].put(l, rowPos[r], k[r], v[r]);
        }
        float[][] attended = new float[rows][c.qDim()];
        long work = 0;
        for (int r = 0; r < rows; r++) {
            work += (long) (rowPos[r] + 1) * c.qDim();
        }
        // One task per key/value head and its group of query heads: the group's later heads find the
        // keys and values in this core's cache instead of reading them from memory again.
        int group = c.headCount() / c.headCountKv();
        IntConsumer attendGroup = task -> {
            int row = task / c.headCountKv();
            int firstHead = task % c.headCountKv() * group;
            for (int h = firstHead; h < firstHead + group; h++) {
                attend(q[row], h, rowCache[row], l, rowPos[row], attended[row]);
            }
        };
        // Short attention (one token early in its sequence) costs less than handing it to the other core.
        if (work > PARALLEL_ATTENTION_WORK) {
            CoreTeam.forEach(rows * c.headCountKv(), attendGroup);
        } else {
            for (int task = 0; task < rows * c.headCountKv(); task++) {
                attendGroup.accept(task);
            }
        }
        float[][] projected = new float[rows][c.embeddingLength()];
        w.wo().matmul(attended, projected);
        addInPlace(x, projected);

        float[][] xf = rmsNorm(x, w.ffnNorm());
        float[][] gate = new float[rows][c.feedForwardLength()];
        float[][] up = new float[rows][c.feedForwardLength()];
        FloatTensor.matmul(xf, List.of(w.gate(), w.up()), List.of(gate, up));
        for (int r = 0; r < rows; r++) {
            FloatArrays.swiglu(gate[r], up[r], gate[r]);
        }
        float[][] down = new float[rows][c.embeddingLength()];
        w.down().matmul(gate, down);
        addInPlace(x, down);
    }

    /** Causal attention of one query head over positions 0..pos of its sequence. */
    private void attend(float[] q, int head, KvCache cache, int layer, int pos, float[] out) {
        int hs = config.headSize();
        int kvOffset = head / (config.headCount() / config.headCountKv()) * hs;
        int capacity = cache.capacity();
        float scale = (float) (1 / Math.sqrt(hs));
        float[] scores = new float[pos + 1];
        FloatArrays.columnDots(q, head * hs, cache.keys(layer), kvOffset * capacity, capacity, hs, pos + 1, scores);
        FloatArrays.softmax(scores, pos + 1, scale);
        FloatArrays.weightedSum(scores, pos + 1, cache.values(layer), kvOffset, config.kvDim(), hs, out, head * hs);
    }

    /**
     * The cosine and sine of each rotary pair's angle at {@code pos}, interleaved: computed once per
     * token rather than per head and layer. The angle of pair i is pos * base^(-2i/n), built by
     * repeated float multiplication as ggml does, so the rounding follows llama.cpp's.
     */
    private float[] ropeAngles(int pos) {
        int n = config.ropeDimensions();
        float thetaScale = (float) Math.pow(config.ropeFreqBase(), -2.0 / n);
        float[] factors = weights.ropeFreqFactors();
        float[] cosSin = new float[n];
        float theta = pos * config.ropeScale();
        for (int i = 0; i < n / 2; i++) {
            float angle = theta / factors[i];
            cosSin[2 * i] = (float) Math.cos(angle);
            cosSin[2 * i + 1] = (float) Math.sin(angle);
            theta *= thetaScale;
        }
        return cosSin;
    }

    /** Rotates each head's leading {@code ropeDimensions} by the angles of {@link #ropeAngles}. */
    private void rope(float[] vec, int heads, float[] cosSin) {
        int hs = config.headSize();
        int n = config.ropeDimensions();
        boolean interleaved = config.ropeStyle() == RopeStyle.INTERLEAVED;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n / 2; i++) {
                float cos = cosSin[2 * i];
                float sin = cosSin[2 * i + 1];
                int a = h * hs + (interleaved ? 2 * i : i);
                int b = interleaved ? a + 1 : a + n / 2;
                float x0 = vec[a];
                float x1 = vec[b];
                vec[a] = x0 * cos - x1 * sin;
                vec[b] = x0 * sin + x1 * cos;
            }
        }
    }

    private List<float[][]> logits(float[][] x, List<int[]> tokens, Logits which) {
        List<float[]> picked = new ArrayList<>();
        int r = 0;
        for (int[] ts : tokens) {
            for (int i = 0; i < ts.length; i++, r++) {
                if (which == Logits.ALL || i == ts.length - 1) {
                    picked.add(x[r]);
                }
            }
        }
        float[][] normed = rmsNorm(picked.toArray(float[][]::new), weights.outputNorm());
        float[][] logits = new float[normed.length][config.vocabularySize()];
        weights.output().matmul(normed, logits);
        List<float[][]> result = new ArrayList<>(tokens.size());
        int p = 0;
        for (int[] ts : tokens) {
            int n = which == Logits.ALL ? ts.length : Math.min(ts.length, 1);
            float[][] mine = new float[n][];
            for (int i = 0; i < n; i++) {
                mine[i] = logits[p++];
            }
            result.add(mine);
        }
        return result;
    }

    /** x * w / sqrt(mean(x^2) + eps), with the mean of squares summed in double as ggml does. */
    private float[][] rmsNorm(float[][] x, float[] w) {
        float[][] out = new float[x.length][];
        for (int r = 0; r < x.length; r++) {
            float[] xr = x[r];
            double ss = 0;
            for (float v : xr) {
                ss += v * v;
            }
            float scale = 1f / (float) Math.sqrt(ss / xr.length + config.rmsNormEps());
            float[] o = new float[xr.length];
            for (int i = 0; i < xr.length; i++) {
                o[i] = xr[i] * scale * w[i];
            }
            out[r] = o;
        }
        return out;
    }

    private static void addInPlace(float[][] x, float[][] y) {
        for (int r = 0; r < x.length; r++) {
            addInPlace(x[r], y[r]);
        }
    }

    private static void addInPlace(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    @Override
    public void close() {
        unmap.run();
    }
}
