package org.iteralign.engine.tensor;

import jdk.incubator.vector.FloatVector;
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
        for (; i + 2 * l <= n; i += 2 * l) {
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
}
