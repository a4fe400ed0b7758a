package org.iteralign.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x in float, built from IEEE operations only (multiply, add, fused multiply-add, exponent bits), so the
 * vector form, its Java fallback and the scalar form give the same bits in the interpreter and in every JIT
 * tier. The Vector API's own {@code EXP} does not: compiled, it calls a native math library whose last bit
 * differs from the per-lane {@link Math#exp} that runs before the loop is compiled, so a training resumed in a
 * fresh JVM no longer ended byte-equal to an uninterrupted one.
 *
 * <p>Method: x = n ln2 + r with n an integer and |r| <= ln2/2 (ln2 split in two so that n ln2 is exact), e^r
 * by its Taylor series to degree 7 (truncation below 1e-8 relative), then scaled by 2^n. Within 2 ulp of the
 * exact value for -86.5 <= x <= 88.72; below that the result is 0 (e^x would be under 3e-38, where float
 * loses precision), above it infinity, and NaN stays NaN.
 */
final class Exponential {
    private static final float LOG2E = 1.44269504f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUNDER = 0x1.8p23f;
    /** ln2's leading bits: n * LN2_HI is exact for |n| < 2^15. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float LOWEST = -86.5f;
    private static final float HIGHEST = 88.72283f;
    /** 1/k! for k = 7 down to 0: the Horner order. */
    private static final float[] TAYLOR = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    private Exponential() {}

    static float exp(float x) {
        float n = Math.fma(x, LOG2E, ROUNDER) - ROUNDER;
        float r = Math.fma(-n, LN2_HI, x);
        r = Math.fma(-n, LN2_LO, r);
        float p = TAYLOR[0];
        for (int k = 1; k < TAYLOR.length; k++) {
            p = Math.fma(p, r, TAYLOR[k]);
        }
        // 2^(n-1) then 2: n reaches 128 just below the overflow bound, one past the largest float exponent.
        float y = p * Float.intBitsToFloat(((int) n + 126) << 23) * 2f;
        if (x < LOWEST) {
            return 0f;
        }
        return x > HIGHEST ? Float.POSITIVE_INFINITY : y;
    }

    /** {@link #exp(float)} of every lane, the same operations in the same order. */
    static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
        FloatVector minusN = n.neg();
        FloatVector r = minusN.fma(FloatVector.broadcast(s, LN2_HI), x);
        r = minusN.fma(FloatVector.broadcast(s, LN2_LO), r);
        FloatVector p = FloatVector.broadcast(s, TAYLOR[0]);
        for (int k = 1; k < TAYLOR.length; k++) {
            p = p.fma(r, FloatVector.broadcast(s, TAYLOR[k]));
        }
        IntVector exponent = (IntVector) n.convert(VectorOperators.F2I, 0);
        FloatVector scale = exponent.add(126).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = p.mul(scale).mul(2f);
        return y.blend(0f, x.lt(LOWEST)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, HIGHEST));
    }
}
