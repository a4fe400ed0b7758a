package org.iteralign.engine.train;

import java.util.List;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.RopeStyle;
import org.iteralign.engine.model.TinyModelTest;

/**
 * The transformer with LoRA spelled out in double precision with plain loops, written from the equations
 * rather than from {@link TrainableLlama}: the loss whose finite differences check the backward pass.
 * Dropout draws the same masks as the trainer (same generator, same order), so a check can cover it.
 */
final class LoraReference {
    private final TinyModelTest.Spec spec;
    private final LlamaConfig c;

    LoraReference(TinyModelTest.Spec spec, LlamaConfig c) {
        this.spec = spec;
        this.c = c;
    }

    double loss(List<TrainingExample> batch, LoraAdapter ad, float dropout, long seed) {
        int rows = batch.stream().mapToInt(TrainingExample::length).sum();
        int[] start = new int[rows];
        int[] pos = new int[rows];
        double[][] x = new double[rows][];
        int r = 0;
        for (TrainingExample e : batch) {
            int s = r;
            for (int i = 0; i < e.length(); i++, r++) {
                start[r] = s;
                pos[r] = i;
                x[r] = row(spec.embedding(), e.token(i), c.embeddingLength());
            }
        }
        for (int l = 0; l < c.blockCount(); l++) {
            x = layer(l, x, start, pos, ad, dropout, seed);
        }
        double loss = 0;
        r = 0;
        for (TrainingExample e : batch) {
            for (int i = 0; i < e.length(); i++, r++) {
                if (i + 1 < e.length() && e.isTarget(i + 1)) {
                    double[] logits = matvec(spec.output(), norm(x[r], spec.outputNorm()), c.vocabularySize());
                    double max = Double.NEGATIVE_INFINITY;
                    for (double v : logits) {
                        max = Math.max(max, v);
                    }
                    double sum = 0;
                    for (double v : logits) {
                        sum += Math.exp(v - max);
                    }
                    loss += max + Math.log(sum) - logits[e.token(i + 1)];
                }
            }
        }
        return loss;
    }

    private double[][] layer(int l, double[][] x, int[] start, int[] pos, LoraAdapter ad, float dropout, long seed) {
        float[][] w = spec.layers().get(l);
        int rows = x.length;
        int hs = c.headSize();
        double[][] xn = new double[rows][];
        for (int r = 0; r < rows; r++) {
            xn[r] = norm(x[r], w[0]);
        }
        double[][] q = lora(l, Projection.Q, w[1], xn, ad, dropout, seed);
        double[][] k = lora(l, Projection.K, w[2], xn, ad, dropout, seed);
        double[][] v = lora(l, Projection.V, w[3], xn, ad, dropout, seed);
        for (int r = 0; r < rows; r++) {
            if (w[5] != null) {
                addTo(q[r], w[5]);
                addTo(k[r], w[6]);
                addTo(v[r], w[7]);
            }
            rope(q[r], c.headCount(), pos[r]);
            rope(k[r], c.headCountKv(), pos[r]);
        }
        double[][] att = new double[rows][c.qDim()];
        int group = c.headCount() / c.headCountKv();
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < c.headCount(); h++) {
                int g = h / group;
                double[] p = new double[pos[r] + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < p.length; t++) {
                    double dot = 0;
                    for (int i = 0; i < hs; i++) {
                        dot += q[r][h * hs + i] * k[start[r] + t][g * hs + i];
                    }
                    p[t] = dot / Math.sqrt(hs);
                    max = Math.max(max, p[t]);
                }
                double sum = 0;
                for (int t = 0; t < p.length; t++) {
                    p[t] = Math.exp(p[t] - max);
                    sum += p[t];
                }
                for (int t = 0; t < p.length; t++) {
                    for (int i = 0; i < hs; i++) {
                        att[r][h * hs + i] += p[t] / sum * v[start[r] + t][g * hs + i];
                    }
                }
            }
        }
        double[][] o = lora(l, Projection.O, w[4], att, ad, dropout, seed);
        double[][] mid = new double[rows][];
        for (int r = 0; r < rows; r++) {
            mid[r] = x[r].clone();
            addTo(mid[r], o[r]);
            xn[r] = norm(mid[r], w[8]);
        }
        double[][] gate = lora(l, Projection.GATE, w[9], xn, ad, dropout, seed);
        double[][] up = lora(l, Projection.UP, w[10], xn, ad, dropout, seed);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < gate[r].length; i++) {
                gate[r][i] = gate[r][i] / (1 + Math.exp(-gate[r][i])) * up[r][i];
            }
        }
        double[][] down = lora(l, Projection.DOWN, w[11], gate, ad, dropout, seed);
        for (int r = 0; r < rows; r++) {
            addTo(mid[r], down[r]);
        }
        return mid;
    }

    /** W x + (alpha/r) B A dropout(x) for every row. */
    private double[][] lora(int l, Projection p, float[] w, double[][] x, LoraAdapter ad, float dropout, long seed) {
        int in = p.in(c);
        int out = p.out(c);
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            y[r] = matvec(w, x[r], out);
        }
        float[] a = ad.a(l, p);
        if (a == null) {
            return y;
        }
        float[] b = ad.b(l, p);
        int rank = ad.rank();
        TrainableLlama.DropoutMask mask = new TrainableLlama.DropoutMask(dropout, TrainableLlama.dropoutSeed(seed, l, p));
        for (int r = 0; r < x.length; r++) {
            double[] xd = new double[in];
            for (int i = 0; i < in; i++) {
                xd[i] = dropout > 0 && mask.dropped() ? 0 : x[r][i] / (1 - (double) dropout);
            }
            double[] h = matvec(a, xd, rank);
            double[] bh = matvec(b, h, out);
            for (int o = 0; o < out; o++) {
                y[r][o] += (double) ad.alpha() / rank * bh[o];
            }
        }
        return y;
    }

    private void rope(double[] vec, int heads, int pos) {
        int hs = c.headSize();
        int n = c.ropeDimensions();
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n / 2; i++) {
                double factor = spec.ropeFactors() == null ? 1 : spec.ropeFactors()[i];
                double angle = pos * Math.pow(c.ropeFreqBase(), -2.0 * i / n) / factor;
                int a = h * hs + (c.ropeStyle() == RopeStyle.INTERLEAVED ? 2 * i : i);
                int b = c.ropeStyle() == RopeStyle.INTERLEAVED ? a + 1 : a + n / 2;
                double x0 = vec[a];
                double x1 = vec[b];
                vec[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
                vec[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
            }
        }
    }

    private double[] norm(double[] x, float[] w) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double s = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * s * w[i];
        }
        return out;
    }

    /** {@code m} as {@code rows} rows of x.length values, times x. */
    private static double[] matvec(float[] m, double[] x, int rows) {
        double[] y = new double[rows];
        for (int o = 0; o < rows; o++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += m[o * x.length + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private static double[] row(float[] m, int index, int width) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = m[index * width + i];
        }
        return out;
    }

    private static void addTo(double[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private static void addTo(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
