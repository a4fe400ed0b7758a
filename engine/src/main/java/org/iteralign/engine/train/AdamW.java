package org.iteralign.engine.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), as torch.optim.AdamW computes it:
 * p -= lr * wd * p, then p -= lr * m_hat / (sqrt(v_hat) + eps) with bias-corrected moments.
 */
final class AdamW {
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;

    private final float weightDecay;
    private final LoraAdapter m;
    private final LoraAdapter v;
    private int steps;

    AdamW(LoraAdapter params, float weightDecay) {
        this.weightDecay = weightDecay;
        this.m = params.zerosLike();
        this.v = params.zerosLike();
    }

    void step(LoraAdapter params, LoraAdapter grads, float lr) {
        steps++;
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        List<float[]> p = params.tensors();
        List<float[]> g = grads.tensors();
        List<float[]> ms = m.tensors();
        List<float[]> vs = v.tensors();
        for (int t = 0; t < p.size(); t++) {
            float[] pt = p.get(t);
            float[] gt = g.get(t);
            float[] mt = ms.get(t);
            float[] vt = vs.get(t);
            for (int i = 0; i < pt.length; i++) {
                mt[i] = BETA1 * mt[i] + (1 - BETA1) * gt[i];
                vt[i] = BETA2 * vt[i] + (1 - BETA2) * gt[i] * gt[i];
                double update = mt[i] / c1 / (Math.sqrt(vt[i] / c2) + EPS);
                pt[i] = (float) (pt[i] * (1 - (double) lr * weightDecay) - lr * update);
            }
        }
    }

    /** Scales the gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    static double clip(LoraAdapter grads, double maxNorm) {
        double sum = 0;
        for (float[] g : grads.tensors()) {
            for (float x : g) {
                sum += (double) x * x;
            }
        }
        double norm = Math.sqrt(sum);
        if (norm > maxNorm) {
            // torch.nn.utils.clip_grad_norm_ adds 1e-6 to the norm the same way.
            float factor = (float) (maxNorm / (norm + 1e-6));
            for (float[] g : grads.tensors()) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= factor;
                }
            }
        }
        return norm;
    }

    int steps() {
        return steps;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(steps);
        for (LoraAdapter moments : List.of(m, v)) {
            for (float[] t : moments.tensors()) {
                out.writeInt(t.length);
                for (float x : t) {
                    out.writeFloat(x);
                }
            }
        }
    }

    void read(DataInputStream in) throws IOException {
        steps = in.readInt();
        for (LoraAdapter moments : List.of(m, v)) {
            for (float[] t : moments.tensors()) {
                if (in.readInt() != t.length) {
                    throw new IOException("optimizer state does not match the adapter's shape");
                }
                for (int i = 0; i < t.length; i++) {
                    t[i] = in.readFloat();
                }
            }
        }
    }
}
