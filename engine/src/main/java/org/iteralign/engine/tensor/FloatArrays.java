package org.iteralign.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float-array kernels of the forward pass. The summation order of each result is fixed by {@code n}
 * alone (vector lanes first, then lanes left to right, then the tail), so a row computes the same bits
 * whatever else is in the batch.
 */
public final class FloatArrays {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FloatArrays() {}

    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int i = 0;
        float sum = 0;
        if (FloatTensor.VECTORIZED && n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, a, aOffset + i).fma(FloatVector.fromArray(S, b, bOffset + i), acc);
            }
            sum = FloatTensor.sumLanes(acc);
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
