package org.iteralign.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.RopeStyle;
import org.iteralign.engine.tensor.FloatArrays;

/**
 * The Llama transformer of {@code LlamaModel} with LoRA adapters, as a training forward pass and its
 * backward pass, in FP32. Every layer's {@code forward} sits next to its {@code backward}, with the same
 * argument order; what a forward saves on the {@link Tape} is exactly what its backward reads.
 *
 * <p>Several sequences run together as rows of one matrix (each attends only to its own earlier
 * rows), so the weights are read once per micro-batch. Gradients flow only into the adapter: the
 * base weights, norms and embeddings are frozen. The forward follows {@code LlamaModel.forward}
 * operation for operation; only the matrix products sum in another order (see {@link FrozenBase}).
 */
final class TrainableLlama {
    private final FrozenBase base;
    private final LlamaConfig c;

    TrainableLlama(FrozenBase base) {
        this.base = base;
        this.c = base.config;
    }

    /** Next-token logits after every token of one sequence, without dropout. */
    float[][] logits(int[] tokens, LoraAdapter adapter) {
        boolean[] none = new boolean[tokens.length];
        Tape tape = forward(List.of(new TrainingExample(tokens, none)), adapter, 0, 0);
        int[] all = IntStream.range(0, tokens.length).toArray();
        float[][] logits = new float[all.length][c.vocabularySize()];
        Gemm.multiplyAdd(select(tape.finalNormed, all), base.outputTransposed, c.embeddingLength(), c.vocabularySize(), logits);
        return logits;
    }

    /**
     * Runs the batch forward and backward and adds {@code gradScale} times the gradient of the summed
     * target-token cross-entropy to {@code grads}.
     *
     * @return the summed cross-entropy (not scaled)
     */
    double lossAndGradients(List<TrainingExample> batch, LoraAdapter adapter, LoraAdapter grads, double gradScale,
                            float dropout, long dropoutSeed) {
        Tape tape = forward(batch, adapter, dropout, dropoutSeed);
        CrossEntropy ce = crossEntropy(tape, batch, gradScale);
        float[][] dx = rmsNormBackward(tape.last, base.outputNorm, tape.finalScale, ce.dNormed);
        for (int l = c.blockCount() - 1; l >= 0; l--) {
            dx = layerBackward(l, tape.layers.get(l), adapter, grads, tape, dx);
        }
        return ce.loss;
    }

    // ---- the whole model ---------------------------------------------------------------------------

    /** Rows of all sequences end to end, and what each layer saved for the backward pass. */
    private static final class Tape {
        int[] start; // row where each row's sequence begins
        int[] pos;   // position of the row within its sequence
        float[][] cos;
        float[][] sin;
        float dropout;
        long dropoutSeed;
        final List<LayerTape> layers = new ArrayList<>();
        float[][] last;       // output of the last block
        float[] finalScale;
        float[][] finalNormed;
    }

    private Tape forward(List<TrainingExample> batch, LoraAdapter adapter, float dropout, long dropoutSeed) {
        int rows = batch.stream().mapToInt(TrainingExample::length).sum();
        Tape tape = new Tape();
        tape.start = new int[rows];
        tape.pos = new int[rows];
        tape.dropout = dropout;
        tape.dropoutSeed = dropoutSeed;
        int dim = c.embeddingLength();
        float[][] x = new float[rows][dim];
        int r = 0;
        int longest = 0;
        for (TrainingExample e : batch) {
            int s = r;
            longest = Math.max(longest, e.length());
            for (int i = 0; i < e.length(); i++, r++) {
                int t = e.token(i);
                if (t < 0 || t >= c.vocabularySize()) {
                    throw new IllegalArgumentException("token id " + t + " outside the vocabulary of " + c.vocabularySize());
                }
                tape.start[r] = s;
                tape.pos[r] = i;
                base.embedding.dequantize((long) t * dim, x[r], 0, dim);
            }
        }
        if (longest > c.contextLength()) {
            throw new IllegalArgumentException(longest + " tokens exceed the context length " + c.contextLength());
        }
        ropeTables(tape, longest);
        for (int l = 0; l < c.blockCount(); l++) {
            LayerTape lt = new LayerTape();
            tape.layers.add(lt);
            x = layerForward(l, lt, adapter, tape, x);
        }
        tape.last = x;
        tape.finalScale = new float[rows];
        tape.finalNormed = rmsNormForward(x, base.outputNorm, tape.finalScale);
        return tape;
    }

    private record CrossEntropy(double loss, float[][] dNormed) {}

    /**
     * Row r predicts token r + 1 of its sequence; only rows whose next token is a target get logits,
     * which spares the large vocabulary product for prompt rows. The log-sum-exp is taken in double.
     */
    private CrossEntropy crossEntropy(Tape tape, List<TrainingExample> batch, double gradScale) {
        List<Integer> lossRows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int r = 0;
        for (TrainingExample e : batch) {
            for (int i = 0; i < e.length(); i++, r++) {
                if (i + 1 < e.length() && e.isTarget(i + 1)) {
                    lossRows.add(r);
                    labels.add(e.token(i + 1));
                }
            }
        }
        int[] picked = lossRows.stream().mapToInt(Integer::intValue).toArray();
        int vocab = c.vocabularySize();
        float[][] logits = new float[picked.length][vocab];
        Gemm.multiplyAdd(select(tape.finalNormed, picked), base.outputTransposed, c.embeddingLength(), vocab, logits);
        double[] losses = new double[picked.length];
        IntStream.range(0, picked.length).parallel().forEach(i -> {
            float[] l = logits[i];
            float max = Float.NEGATIVE_INFINITY;
            for (float v : l) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : l) {
                sum += Math.exp(v - max);
            }
            double lse = max + Math.log(sum);
            int label = labels.get(i);
            losses[i] = lse - l[label];
            // d loss / d logit = softmax - one-hot; the logits array is reused for it.
            for (int v = 0; v < vocab; v++) {
                l[v] = (float) (Math.exp(l[v] - lse) * gradScale);
            }
            l[label] -= (float) gradScale;
        });
        double loss = 0;
        for (double v : losses) {
            loss += v;
        }
        float[][] dNormed = new float[tape.last.length][c.embeddingLength()];
        if (picked.length > 0) {
            float[][] dPicked = new float[picked.length][c.embeddingLength()];
            Gemm.multiplyAdd(logits, base.output, vocab, c.embeddingLength(), dPicked);
            for (int i = 0; i < picked.length; i++) {
                dNormed[picked[i]] = dPicked[i];
            }
        }
        return new CrossEntropy(loss, dNormed);
    }

    private static float[][] select(float[][] x, int[] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = x[rows[i]];
        }
        return out;
    }

    // ---- one transformer block -------------------------------------------------------------------

    private static final class LayerTape {
        float[][] x;
        float[] scale1;
        float[][] xn1;
        float[][] q; // after RoPE
        float[][] k; // after RoPE
        float[][] v;
        float[][][] probs; // [row][head][key position]: softmax of the scores
        float[][] attended;
        float[][] mid;
        float[] scale2;
        float[][] xn2;
        float[][] gate;
        float[][] up;
        float[][] act;
        final float[][][] loraH = new float[Projection.values().length][][]; // A·drop(x) per projection
    }

    private float[][] layerForward(int l, LayerTape t, LoraAdapter ad, Tape tape, float[][] x) {
        FrozenBase.Layer w = base.layers.get(l);
        int rows = x.length;
        t.x = x;
        t.scale1 = new float[rows];
        t.xn1 = rmsNormForward(x, w.attentionNorm(), t.scale1);
        t.q = linearForward(l, Projection.Q, t, ad, tape, t.xn1);
        t.k = linearForward(l, Projection.K, t, ad, tape, t.xn1);
        t.v = linearForward(l, Projection.V, t, ad, tape, t.xn1);
        for (int r = 0; r < rows; r++) {
            if (c.attentionBiases()) {
                addInPlace(t.q[r], w.bq());
                addInPlace(t.k[r], w.bk());
                addInPlace(t.v[r], w.bv());
            }
            ropeForward(t.q[r], c.headCount(), tape.cos[tape.pos[r]], tape.sin[tape.pos[r]]);
            ropeForward(t.k[r], c.headCountKv(), tape.cos[tape.pos[r]], tape.sin[tape.pos[r]]);
        }
        t.probs = new float[rows][c.headCount()][];
        t.attended = attentionForward(t.q, t.k, t.v, tape, t.probs);
        float[][] o = linearForward(l, Projection.O, t, ad, tape, t.attended);
        t.mid = add(x, o);
        t.scale2 = new float[rows];
        t.xn2 = rmsNormForward(t.mid, w.ffnNorm(), t.scale2);
        t.gate = linearForward(l, Projection.GATE, t, ad, tape, t.xn2);
        t.up = linearForward(l, Projection.UP, t, ad, tape, t.xn2);
        t.act = swigluForward(t.gate, t.up);
        float[][] down = linearForward(l, Projection.DOWN, t, ad, tape, t.act);
        return add(t.mid, down);
    }

    private float[][] layerBackward(int l, LayerTape t, LoraAdapter ad, LoraAdapter grads, Tape tape, float[][] dOut) {
        FrozenBase.Layer w = base.layers.get(l);
        float[][] dAct = linearBackward(l, Projection.DOWN, t, ad, grads, tape, t.act, dOut);
        float[][] dGate = new float[dAct.length][];
        float[][] dUp = new float[dAct.length][];
        swigluBackward(t.gate, t.up, dAct, dGate, dUp);
        float[][] dXn2 = linearBackward(l, Projection.GATE, t, ad, grads, tape, t.xn2, dGate);
        addInPlace(dXn2, linearBackward(l, Projection.UP, t, ad, grads, tape, t.xn2, dUp));
        float[][] dMid = add(dOut, rmsNormBackward(t.mid, w.ffnNorm(), t.scale2, dXn2));
        float[][] dAttended = linearBackward(l, Projection.O, t, ad, grads, tape, t.attended, dMid);
        float[][] dq = new float[dMid.length][c.qDim()];
        float[][] dk = new float[dMid.length][c.kvDim()];
        float[][] dv = new float[dMid.length][c.kvDim()];
        attentionBackward(t.q, t.k, t.v, tape, t.probs, dAttended, dq, dk, dv);
        for (int r = 0; r < dq.length; r++) {
            ropeBackward(dq[r], c.headCount(), tape.cos[tape.pos[r]], tape.sin[tape.pos[r]]);
            ropeBackward(dk[r], c.headCountKv(), tape.cos[tape.pos[r]], tape.sin[tape.pos[r]]);
        }
        float[][] dXn1 = linearBackward(l, Projection.Q, t, ad, grads, tape, t.xn1, dq);
        addInPlace(dXn1, linearBackward(l, Projection.K, t, ad, grads, tape, t.xn1, dk));
        addInPlace(dXn1, linearBackward(l, Projection.V, t, ad, grads, tape, t.xn1, dv));
        return add(dMid, rmsNormBackward(t.x, w.attentionNorm(), t.scale1, dXn1));
    }

    // ---- linear layer with a LoRA branch: y = W x + s · B · A · dropout(x) -----------------------

    private float[][] linearForward(int l, Projection p, LayerTape t, LoraAdapter ad, Tape tape, float[][] x) {
        int rows = x.length;
        float[][] y = new float[rows][p.out(c)];
        Gemm.multiplyAdd(x, base.layers.get(l).transposed()[p.ordinal()], p.in(c), p.out(c), y);
        float[] a = ad.a(l, p);
        if (a != null) {
            float[] b = ad.b(l, p);
            int rank = ad.rank();
            int in = p.in(c);
            int out = p.out(c);
            float scale = ad.scale();
            float[][] xd = dropout(x, tape.dropout, dropoutSeed(tape.dropoutSeed, l, p));
            float[] bt = transpose(b, out, rank);
            float[][] h = new float[rows][rank];
            IntStream.range(0, rows).parallel().forEach(r -> {
                for (int j = 0; j < rank; j++) {
                    h[r][j] = FloatArrays.dot(a, j * in, xd[r], 0, in);
                    FloatArrays.axpy(scale * h[r][j], bt, j * out, y[r], 0, out);
                }
            });
            t.loraH[p.ordinal()] = h;
        }
        return y;
    }

    /** Returns dL/dx and adds dL/dA, dL/dB to {@code grads}. */
    private float[][] linearBackward(int l, Projection p, LayerTape t, LoraAdapter ad, LoraAdapter grads, Tape tape,
                                     float[][] x, float[][] dy) {
        int rows = x.length;
        int in = p.in(c);
        float[][] dx = new float[rows][in];
        Gemm.multiplyAdd(dy, base.layers.get(l).weights()[p.ordinal()], p.out(c), in, dx);
        float[] a = ad.a(l, p);
        if (a != null) {
            float[] b = ad.b(l, p);
            float[] da = grads.a(l, p);
            float[] db = grads.b(l, p);
            int rank = ad.rank();
            int out = p.out(c);
            float scale = ad.scale();
            float[][] h = t.loraH[p.ordinal()];
            // B^T keeps every loop over B's long side contiguous: rank rows of length out.
            float[] bt = transpose(b, out, rank);
            float[] dbt = new float[rank * out];
            IntStream.range(0, rank).parallel().forEach(j -> {
                for (int r = 0; r < rows; r++) {
                    FloatArrays.axpy(scale * h[r][j], dy[r], 0, dbt, j * out, out);
                }
            });
            addInPlace(db, transpose(dbt, rank, out));
            float[][] dh = new float[rows][rank];
            IntStream.range(0, rows).parallel().forEach(r -> {
                for (int j = 0; j < rank; j++) {
                    dh[r][j] = scale * FloatArrays.dot(bt, j * out, dy[r], 0, out);
                }
            });
            long seed = dropoutSeed(tape.dropoutSeed, l, p);
            float[][] xd = dropout(x, tape.dropout, seed);
            IntStream.range(0, rank).parallel().forEach(j -> {
                for (int r = 0; r < rows; r++) {
                    FloatArrays.axpy(dh[r][j], xd[r], 0, da, j * in, in);
                }
            });
            float[][] dxd = new float[rows][in];
            IntStream.range(0, rows).parallel().forEach(r -> {
                for (int j = 0; j < rank; j++) {
                    FloatArrays.axpy(dh[r][j], a, j * in, dxd[r], 0, in);
                }
            });
            // Dropout multiplies by a fixed diagonal mask, so its backward is the same mask again.
            addInPlace(dx, dropout(dxd, tape.dropout, seed));
        }
        return dx;
    }

    /**
     * Inverted dropout as PyTorch does it: zero with probability p, scale the rest by 1/(1-p). The mask is
     * drawn from a generator seeded by (pass, layer, projection), so the backward pass redraws the same
     * mask instead of storing it; p = 0 returns x itself.
     */
    private static float[][] dropout(float[][] x, float p, long seed) {
        if (p == 0) {
            return x;
        }
        DropoutMask mask = new DropoutMask(p, seed);
        float keep = 1 / (1 - p);
        float[][] out = new float[x.length][];
        for (int r = 0; r < x.length; r++) {
            float[] o = new float[x[r].length];
            for (int i = 0; i < o.length; i++) {
                o[i] = mask.dropped() ? 0 : x[r][i] * keep;
            }
            out[r] = o;
        }
        return out;
    }

    /**
     * Draws of a dropout mask, row by row over the micro-batch. Each draw uses 16 random bits, four per
     * {@code nextLong}, which quarters the generator's cost; p is thereby rounded to a multiple of 2^-16.
     */
    static final class DropoutMask {
        private final SplittableRandom rnd;
        private final int threshold;
        private long bits;
        private int left;

        DropoutMask(float p, long seed) {
            this.rnd = new SplittableRandom(seed);
            this.threshold = Math.round(p * 65536);
        }

        boolean dropped() {
            if (left == 0) {
                bits = rnd.nextLong();
                left = 4;
            }
            int draw = (int) (bits & 0xFFFF);
            bits >>>= 16;
            left--;
            return draw < threshold;
        }
    }

    /** The mask's seed for one projection of one block in one pass. */
    static long dropoutSeed(long passSeed, int layer, Projection p) {
        return passSeed * 0x9E3779B97F4A7C15L + layer * 16L + p.ordinal();
    }

    // ---- RMSNorm: y = x * w / sqrt(mean(x^2) + eps) -----------------------------------------------

    /** As LlamaModel computes it (mean of squares summed in double); saves 1/rms per row in {@code scale}. */
    private float[][] rmsNormForward(float[][] x, float[] w, float[] scale) {
        float[][] out = new float[x.length][];
        for (int r = 0; r < x.length; r++) {
            float[] xr = x[r];
            double ss = 0;
            for (float v : xr) {
                ss += v * v;
            }
            float s = 1f / (float) Math.sqrt(ss / xr.length + c.rmsNormEps());
            scale[r] = s;
            float[] o = new float[xr.length];
            for (int i = 0; i < xr.length; i++) {
                o[i] = xr[i] * s * w[i];
            }
            out[r] = o;
        }
        return out;
    }

    /** dx_i = s w_i dy_i - x_i s^3 / n * sum_j dy_j w_j x_j, with s = 1/rms. */
    private static float[][] rmsNormBackward(float[][] x, float[] w, float[] scale, float[][] dy) {
        float[][] dx = new float[x.length][];
        for (int r = 0; r < x.length; r++) {
            float[] xr = x[r];
            float[] dyr = dy[r];
            double dot = 0;
            for (int i = 0; i < xr.length; i++) {
                dot += (double) dyr[i] * w[i] * xr[i];
            }
            double s = scale[r];
            float k = (float) (s * s * s * dot / xr.length);
            float[] d = new float[xr.length];
            for (int i = 0; i < xr.length; i++) {
                d[i] = (float) (s * w[i] * dyr[i]) - xr[i] * k;
            }
            dx[r] = d;
        }
        return dx;
    }

    // ---- RoPE ------------------------------------------------------------------------------------

    /** cos and sin of every (position, pair), built exactly as LlamaModel.rope builds its angles. */
    private void ropeTables(Tape tape, int positions) {
        int n = c.ropeDimensions();
        float thetaScale = (float) Math.pow(c.ropeFreqBase(), -2.0 / n);
        tape.cos = new float[positions][n / 2];
        tape.sin = new float[positions][n / 2];
        for (int pos = 0; pos < positions; pos++) {
            float theta = pos * c.ropeScale();
            for (int i = 0; i < n / 2; i++) {
                float angle = theta / base.ropeFactors[i];
                tape.cos[pos][i] = (float) Math.cos(angle);
                tape.sin[pos][i] = (float) Math.sin(angle);
                theta *= thetaScale;
            }
        }
    }

    private void ropeForward(float[] vec, int heads, float[] cos, float[] sin) {
        rotate(vec, heads, cos, sin, 1);
    }

    /** A rotation's backward is the rotation by the opposite angle. */
    private void ropeBackward(float[] grad, int heads, float[] cos, float[] sin) {
        rotate(grad, heads, cos, sin, -1);
    }

    private void rotate(float[] vec, int heads, float[] cos, float[] sin, int direction) {
        int hs = c.headSize();
        int n = c.ropeDimensions();
        boolean interleaved = c.ropeStyle() == RopeStyle.INTERLEAVED;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n / 2; i++) {
                int a = h * hs + (interleaved ? 2 * i : i);
                int b = interleaved ? a + 1 : a + n / 2;
                float s = direction * sin[i];
                float x0 = vec[a];
                float x1 = vec[b];
                vec[a] = x0 * cos[i] - x1 * s;
                vec[b] = x0 * s + x1 * cos[i];
            }
        }
    }

    // ---- causal grouped-query attention ---------------------------------------------------------

    /** out = softmax(q k^T / sqrt(hs)) v per head over the row's own sequence; saves the softmax in {@code probs}. */
    private float[][] attentionForward(float[][] q, float[][] k, float[][] v, Tape tape, float[][][] probs) {
        int rows = q.length;
        int heads = c.headCount();
        int hs = c.headSize();
        int group = heads / c.headCountKv();
        float scale = (float) (1 / Math.sqrt(hs));
        float[][] out = new float[rows][c.qDim()];
        float[][] kt = transposeHeads(k);
        IntStream.range(0, rows * heads).parallel().forEach(task -> {
            int r = task / heads;
            int h = task % heads;
            int s = tape.start[r];
            int g = h / group;
            int n = tape.pos[r] + 1;
            float[] p = new float[n];
            for (int i = 0; i < hs; i++) {
                FloatArrays.axpy(q[r][h * hs + i] * scale, kt[g * hs + i], s, p, 0, n);
            }
            FloatArrays.softmax(p, n, 1f);
            for (int t = 0; t < n; t++) {
                FloatArrays.axpy(p[t], v[s + t], g * hs, out[r], h * hs, hs);
            }
            probs[r][h] = p;
        });
        return out;
    }

    /**
     * K or V with each dimension of each KV head as one row over all positions, so the scores of a query
     * are {@code hs} vector updates (q_i * column i) rather than one short dot product per key.
     */
    private float[][] transposeHeads(float[][] x) {
        int width = x[0].length;
        float[][] t = new float[width][x.length];
        for (int r = 0; r < x.length; r++) {
            for (int i = 0; i < width; i++) {
                t[i][r] = x[r][i];
            }
        }
        return t;
    }

    /**
     * With dP = dOut v^T: dS = P (dP - rowsum(P dP)) / sqrt(hs), dq = dS k, dk = dS^T q, dv = P^T dOut.
     * Query rows go in parallel first; key rows gather their sums in a second pass, so no two tasks
     * write the same row.
     */
    private void attentionBackward(float[][] q, float[][] k, float[][] v, Tape tape, float[][][] probs,
                                   float[][] dOut, float[][] dq, float[][] dk, float[][] dv) {
        int rows = q.length;
        int heads = c.headCount();
        int hs = c.headSize();
        int group = heads / c.headCountKv();
        float scale = (float) (1 / Math.sqrt(hs));
        float[][][] dScores = new float[rows][heads][];
        float[][] vt = transposeHeads(v);
        IntStream.range(0, rows * heads).parallel().forEach(task -> {
            int r = task / heads;
            int h = task % heads;
            int s = tape.start[r];
            int kvOffset = h / group * hs;
            float[] p = probs[r][h];
            float[] ds = new float[p.length];
            for (int i = 0; i < hs; i++) {
                FloatArrays.axpy(dOut[r][h * hs + i], vt[kvOffset + i], s, ds, 0, p.length);
            }
            double dot = 0;
            for (int t = 0; t < p.length; t++) {
                dot += (double) p[t] * ds[t];
            }
            for (int t = 0; t < p.length; t++) {
                ds[t] = (float) (p[t] * (ds[t] - dot)) * scale;
                FloatArrays.axpy(ds[t], k[s + t], kvOffset, dq[r], h * hs, hs);
            }
            dScores[r][h] = ds;
        });
        IntStream.range(0, rows * c.headCountKv()).parallel().forEach(task -> {
            int u = task / c.headCountKv();
            int g = task % c.headCountKv();
            int s = tape.start[u];
            int t = u - s;
            for (int r = u; r < rows && tape.start[r] == s; r++) {
                for (int h = g * group; h < (g + 1) * group; h++) {
                    FloatArrays.axpy(dScores[r][h][t], q[r], h * hs, dk[u], g * hs, hs);
                    FloatArrays.axpy(probs[r][h][t], dOut[r], h * hs, dv[u], g * hs, hs);
                }
            }
        });
    }

    // ---- SwiGLU: act = silu(gate) * up ------------------------------------------------------------

    private static float[][] swigluForward(float[][] gate, float[][] up) {
        float[][] act = new float[gate.length][gate[0].length];
        for (int r = 0; r < gate.length; r++) {
            FloatArrays.swiglu(gate[r], up[r], act[r]);
        }
        return act;
    }

    /** silu'(g) = sigmoid(g) (1 + g (1 - sigmoid(g))). */
    private static void swigluBackward(float[][] gate, float[][] up, float[][] dAct, float[][] dGate, float[][] dUp) {
        for (int r = 0; r < gate.length; r++) {
            int n = gate[r].length;
            dGate[r] = new float[n];
            dUp[r] = new float[n];
            for (int i = 0; i < n; i++) {
                double g = gate[r][i];
                double sig = 1 / (1 + Math.exp(-g));
                dUp[r][i] = (float) (dAct[r][i] * g * sig);
                dGate[r][i] = (float) (dAct[r][i] * up[r][i] * sig * (1 + g * (1 - sig)));
            }
        }
    }

    /** A rows x columns matrix, row-major, to its transpose. */
    private static float[] transpose(float[] m, int rows, int columns) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < columns; col++) {
                t[col * rows + r] = m[r * columns + col];
            }
        }
        return t;
    }

    private static float[][] add(float[][] x, float[][] y) {
        float[][] out = new float[x.length][];
        for (int r = 0; r < x.length; r++) {
            out[r] = x[r].clone();
            addInPlace(out[r], y[r]);
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
}
