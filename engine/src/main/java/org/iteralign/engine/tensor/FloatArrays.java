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
