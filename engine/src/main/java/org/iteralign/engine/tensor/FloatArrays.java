package org.iteralign.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float-array kernels of the forward pass.
 *
 * <p>The dot product fixes its summation order by {@code n} alone: vector chunk i goes to accumulator
 * i mod 4, the accumulators are combined as (0 + 1) + (2 + 3), the lanes left to right, then the
 * scalar tail. Every fused {@link FloatTensor#dot} follows the same order, so a dot product gives the
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
            int chunks = n / l;
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            int c = 0;
            for (; c + 4 <= chunks; c += 4) {
                int e = c * l;
                acc0 = FloatVector.fromArray(S, a, aOffset + e).fma(FloatVector.fromArray(S, b, bOffset + e), acc0);
                acc1 = FloatVector.fromArray(S, a, aOffset + e + l).fma(FloatVector.fromArray(S, b, bOffset + e + l), acc1);
                acc2 = FloatVector.fromArray(S, a, aOffset + e + 2 * l).fma(FloatVector.fromArray(S, b, bOffset + e + 2 * l), acc2);
                acc3 = FloatVector.fromArray(S, a, aOffset + e + 3 * l).fma(FloatVector.fromArray(S, b, bOffset + e + 3 * l), acc3);
            }
            if (c < chunks) {
                acc0 = FloatVector.fromArray(S, a, aOffset + c * l).fma(FloatVector.fromArray(S, b, bOffset + c * l), acc0);
                c++;
            }
            if (c < chunks) {
                acc1 = FloatVector.fromArray(S, a, aOffset + c * l).fma(FloatVector.fromArray(S, b, bOffset + c * l), acc1);
                c++;
            }
            if (c < chunks) {
                acc2 = FloatVector.fromArray(S, a, aOffset + c * l).fma(FloatVector.fromArray(S, b, bOffset + c * l), acc2);
            }
            sum = FloatTensor.combine(acc0, acc1, acc2, acc3);
            i = chunks * l;
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
