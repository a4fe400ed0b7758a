package org.iteralign.engine.tensor;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float-array kernels of the forward pass.
 *
 * <p>The dot product fixes its summation order by {@code n} alone: even vector chunks go to one
 * accumulator and odd ones to another (two chains hide the FMA latency), the two are added, the lanes
 * summed left to right, then the scalar tail. Every fused {@link FloatTensor#dot} follows the same order, so a dot product gives the
 * same bits whether the weights were decoded first or on the fly, and a row of a batch computes the
 * same bits whatever else is in the batch.
 */
public final class FloatArrays {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FloatArrays() {}

    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0;
        int i = 0;
        if (FloatTensor.VECTORIZED) {
            int l = S.length();
            FloatVector even = FloatVector.zero(S);
            FloatVector odd = even;
            for (; i + 2 * l <= n; i += 2 * l) {
                even = FloatVector.fromArray(S, a, aOffset + i).fma(FloatVector.fromArray(S, b, bOffset + i), even);
                odd = FloatVector.fromArray(S, a, aOffset + i + l).fma(FloatVector.fromArray(S, b, bOffset + i + l), odd);
            }
            if (i + l <= n) {
                even = FloatVector.fromArray(S, a, aOffset + i).fma(FloatVector.fromArray(S, b, bOffset + i), even);
                i += l;
            }
            sum = FloatTensor.combine(even, odd);
        }
        for (; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }

    /**
     * Four dot products at once, {@code w rows r0, r1} times {@code x rows a, b}, each summed in exactly
     * the order of {@link #dot}: sharing the loads between four sums lets eight FMA chains run side
     * by side, which a single dot product cannot do.
     *
     * @param out receives r0·a, r1·a, r0·b, r1·b
     */
    public static void dot2x2(float[] w, int r0, int r1, float[] a, float[] b, int n, float[] out) {
        if (!FloatTensor.VECTORIZED) {
            out[0] = dot(w, r0, a, 0, n);
            out[1] = dot(w, r1, a, 0, n);
            out[2] = dot(w, r0, b, 0, n);
            out[3] = dot(w, r1, b, 0, n);
            return;
        }
        int l = S.length();
        FloatVector e00 = FloatVector.zero(S);
        FloatVector o00 = e00;
        FloatVector e10 = e00;
        FloatVector o10 = e00;
        FloatVector e01 = e00;
        FloatVector o01 = e00;
        FloatVector e11 = e00;
        FloatVector o11 = e00;
        int i = 0;
        // A counted loop up to a precomputed bound, with the arrays' bounds checked once before it, lets the JIT
        // drop the per-load range checks (they were an eighth of prompt time).
        int bound = n - n % (2 * l);
        Objects.checkFromIndexSize(r0, n, w.length);
        Objects.checkFromIndexSize(r1, n, w.length);
        Objects.checkFromIndexSize(0, n, a.length);
        Objects.checkFromIndexSize(0, n, b.length);
        for (; i < bound; i += 2 * l) {
            FloatVector w0 = FloatVector.fromArray(S, w, r0 + i);
            FloatVector w1 = FloatVector.fromArray(S, w, r1 + i);
            FloatVector xa = FloatVector.fromArray(S, a, i);
            FloatVector xb = FloatVector.fromArray(S, b, i);
            e00 = w0.fma(xa, e00);
            e10 = w1.fma(xa, e10);
            e01 = w0.fma(xb, e01);
            e11 = w1.fma(xb, e11);
            w0 = FloatVector.fromArray(S, w, r0 + i + l);
            w1 = FloatVector.fromArray(S, w, r1 + i + l);
            xa = FloatVector.fromArray(S, a, i + l);
            xb = FloatVector.fromArray(S, b, i + l);
            o00 = w0.fma(xa, o00);
            o10 = w1.fma(xa, o10);
            o01 = w0.fma(xb, o01);
            o11 = w1.fma(xb, o11);
        }
        if (i + l <= n) {
            FloatVector w0 = FloatVector.fromArray(S, w, r0 + i);
            FloatVector w1 = FloatVector.fromArray(S, w, r1 + i);
            FloatVector xa = FloatVector.fromArray(S, a, i);
            FloatVector xb = FloatVector.fromArray(S, b, i);
            e00 = w0.fma(xa, e00);
            e10 = w1.fma(xa, e10);
            e01 = w0.fma(xb, e01);
            e11 = w1.fma(xb, e11);
            i += l;
        }
        float s00 = FloatTensor.combine(e00, o00);
        float s10 = FloatTensor.combine(e10, o10);
        float s01 = FloatTensor.combine(e01, o01);
        float s11 = FloatTensor.combine(e11, o11);
        for (; i < n; i++) {
            s00 = Math.fma(w[r0 + i], a[i], s00);
            s10 = Math.fma(w[r1 + i], a[i], s10);
            s01 = Math.fma(w[r0 + i], b[i], s01);
            s11 = Math.fma(w[r1 + i], b[i], s11);
        }
        out[0] = s00;
        out[1] = s10;
        out[2] = s01;
        out[3] = s11;
    }

    /**
     * {@code out[t] = sum over i < n of q[qOffset + i] * k[kOffset + i * stride + t]} for {@code t < count}:
     * dot products with the columns of a row-major matrix, as attention scores against keys stored one
     * dimension per row. Each sum is one multiply-add chain in the order of i, in a vector lane or in the
     * scalar tail alike, so a column's result does not depend on {@code count}; four vectors of columns
     * at a time keep four chains in flight.
     */
    public static void columnDots(float[] q, int qOffset, float[] k, int kOffset, int stride, int n, int count, float[] out) {
        int t = 0;
        if (FloatTensor.VECTORIZED) {
            int l = S.length();
            for (; t + 4 * l <= count; t += 4 * l) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < n; i++) {
                    FloatVector qi = FloatVector.broadcast(S, q[qOffset + i]);
                    int row = kOffset + i * stride + t;
                    a0 = FloatVector.fromArray(S, k, row).fma(qi, a0);
                    a1 = FloatVector.fromArray(S, k, row + l).fma(qi, a1);
                    a2 = FloatVector.fromArray(S, k, row + 2 * l).fma(qi, a2);
                    a3 = FloatVector.fromArray(S, k, row + 3 * l).fma(qi, a3);
                }
                a0.intoArray(out, t);
                a1.intoArray(out, t + l);
                a2.intoArray(out, t + 2 * l);
                a3.intoArray(out, t + 3 * l);
            }
            for (; t + l <= count; t += l) {
                FloatVector a = FloatVector.zero(S);
                for (int i = 0; i < n; i++) {
                    a = FloatVector.fromArray(S, k, kOffset + i * stride + t).fma(FloatVector.broadcast(S, q[qOffset + i]), a);
                }
                a.intoArray(out, t);
            }
        }
        for (; t < count; t++) {
            float sum = 0;
            for (int i = 0; i < n; i++) {
                sum = Math.fma(q[qOffset + i], k[kOffset + i * stride + t], sum);
            }
            out[t] = sum;
        }
    }

    /**
     * {@code out[outOffset + j] = sum over t < count of w[t] * v[vOffset + t * stride + j]} for {@code j < n}:
     * a weighted sum of rows, as attention's mix of values. Each output is one multiply-add chain in the
     * order of t (the bits of {@link #axpy} applied row by row to zeros), kept in registers rather than
     * stored after every row.
     */
    public static void weightedSum(float[] w, int count, float[] v, int vOffset, int stride, int n, float[] out, int outOffset) {
        int j = 0;
        if (FloatTensor.VECTORIZED) {
            int l = S.length();
            for (; j + 4 * l <= n; j += 4 * l) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0, a2 = a0, a3 = a0;
                for (int t = 0; t < count; t++) {
                    FloatVector wt = FloatVector.broadcast(S, w[t]);
                    int row = vOffset + t * stride + j;
                    a0 = FloatVector.fromArray(S, v, row).fma(wt, a0);
                    a1 = FloatVector.fromArray(S, v, row + l).fma(wt, a1);
                    a2 = FloatVector.fromArray(S, v, row + 2 * l).fma(wt, a2);
                    a3 = FloatVector.fromArray(S, v, row + 3 * l).fma(wt, a3);
                }
                a0.intoArray(out, outOffset + j);
                a1.intoArray(out, outOffset + j + l);
                a2.intoArray(out, outOffset + j + 2 * l);
                a3.intoArray(out, outOffset + j + 3 * l);
            }
            for (; j + l <= n; j += l) {
                FloatVector a = FloatVector.zero(S);
                for (int t = 0; t < count; t++) {
                    a = FloatVector.fromArray(S, v, vOffset + t * stride + j).fma(FloatVector.broadcast(S, w[t]), a);
                }
                a.intoArray(out, outOffset + j);
            }
        }
        for (; j < n; j++) {
            float sum = 0;
            for (int t = 0; t < count; t++) {
                sum = Math.fma(w[t], v[vOffset + t * stride + j], sum);
            }
            out[outOffset + j] = sum;
        }
    }

    /** {@code y[yOffset + i] += a * x[xOffset + i]}. */
    public static void axpy(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        if (FloatTensor.VECTORIZED) {
            FloatVector av = FloatVector.broadcast(S, a);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOffset + i).fma(av, FloatVector.fromArray(S, y, yOffset + i))
                        .intoArray(y, yOffset + i);
            }
        }
        for (; i < n; i++) {
            y[yOffset + i] = Math.fma(a, x[xOffset + i], y[yOffset + i]);
        }
    }

    /**
     * Softmax of {@code scale * a[i]} over the first {@code n}, in place. Vector exponentials: a long prompt's
     * attention takes tens of thousands per token, and scalar {@link Math#exp} was a sixth of prompt time. The
     * exponential and the lane sum have fixed operations and order ({@link Exponential}, {@link FloatTensor#sumLanes}),
     * so the bits do not change when the JIT compiles the loop.
     */
    public static void softmax(float[] a, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            a[i] *= scale;
            max = Math.max(max, a[i]);
        }
        float sum = 0;
        int i = 0;
        if (FloatTensor.VECTORIZED) {
            FloatVector m = FloatVector.broadcast(S, max);
            FloatVector acc = FloatVector.zero(S);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector e = Exponential.exp(FloatVector.fromArray(S, a, i).sub(m));
                e.intoArray(a, i);
                acc = acc.add(e);
            }
            sum = FloatTensor.sumLanes(acc);
        }
        for (; i < n; i++) {
            a[i] = Exponential.exp(a[i] - max);
            sum += a[i];
        }
        float inverse = 1 / sum;
        for (i = 0; i < n; i++) {
            a[i] *= inverse;
        }
    }

    /**
     * {@code out[i] = silu(gate[i]) * up[i]}, SwiGLU's gating, with vector exponentials; {@code out} may be
     * {@code gate} (inference keeps nothing) or an array of its own (training keeps the gate for the backward pass).
     */
    public static void swiglu(float[] gate, float[] up, float[] out) {
        int n = gate.length;
        int i = 0;
        if (FloatTensor.VECTORIZED) {
            FloatVector one = FloatVector.broadcast(S, 1f);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector g = FloatVector.fromArray(S, gate, i);
                g.div(Exponential.exp(g.neg()).add(one)).mul(FloatVector.fromArray(S, up, i)).intoArray(out, i);
            }
        }
        for (; i < n; i++) {
            float g = gate[i];
            out[i] = g / (Exponential.exp(-g) + 1f) * up[i];
        }
    }

    /** log of softmax(logits)[token], the max subtracted first and the sum of exponentials kept in double. */
    public static double logSoftmax(float[] logits, int token) {
        int n = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (FloatTensor.VECTORIZED) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                m = m.max(FloatVector.fromArray(S, logits, i));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        i = 0;
        if (FloatTensor.VECTORIZED) {
            FloatVector m = FloatVector.broadcast(S, max);
            // Chunks of a few hundred values summed in float, the chunk sums in double: exp(v - max) <= 1.
            for (int bound = S.loopBound(n); i < bound; ) {
                FloatVector acc = FloatVector.zero(S);
                for (int end = Math.min(bound, i + 32 * S.length()); i < end; i += S.length()) {
                    acc = acc.add(Exponential.exp(FloatVector.fromArray(S, logits, i).sub(m)));
                }
                sum += FloatTensor.sumLanes(acc);
            }
        }
        for (; i < n; i++) {
            sum += Exponential.exp(logits[i] - max);
        }
        return logits[token] - max - Math.log(sum);
    }
}
