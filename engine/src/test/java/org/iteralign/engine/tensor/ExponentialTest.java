package org.iteralign.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The exponential is accurate, and the same bits in every form and JIT tier: the loops below run long enough
 * that their first rounds execute the Vector API's Java fallback and their last ones C2's compiled code.
 */
class ExponentialTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Test
    void isWithinTwoUlpOfTheExactValueOverItsRange() {
        Random rnd = new Random(1);
        double worst = 0;
        for (int i = 0; i < 1_000_000; i++) {
            float x = -86.5f + rnd.nextFloat() * (88.72f + 86.5f);
            double exact = Math.exp(x);
            double ulps = Math.abs(Exponential.exp(x) - exact) / Math.ulp((float) exact);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp");
        assertEquals(1f, Exponential.exp(0f));
        assertEquals((float) Math.E, Exponential.exp(1f), Math.ulp((float) Math.E));
    }

    @Test
    void flushesBelowItsRangeOverflowsAboveAndKeepsNaN() {
        assertEquals(0f, Exponential.exp(-86.6f));
        assertEquals(0f, Exponential.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Exponential.exp(88.73f));
        assertEquals(Float.POSITIVE_INFINITY, Exponential.exp(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Exponential.exp(Float.NaN)));
        float nearMax = Exponential.exp(88.72f);
        assertTrue(Float.isFinite(nearMax) && nearMax > 3.3e38f, "e^88.72 = " + nearMax);
    }

    @Test
    void vectorLanesEqualTheScalarFormInEveryTier() {
        Random rnd = new Random(2);
        float[] x = new float[S.length()];
        float[] y = new float[S.length()];
        float[] specials = {0f, -0f, 1f, -86.5f, -86.6f, 88.72f, 88.73f, 1e30f, -1e30f,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int round = 0; round < 30_000; round++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(8) == 0 ? specials[rnd.nextInt(specials.length)] : (float) (rnd.nextGaussian() * 30);
            }
            Exponential.exp(FloatVector.fromArray(S, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                float expected = Exponential.exp(x[i]);
                if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError("round " + round + ": exp(" + x[i] + ") is " + expected + " as a scalar but "
                            + y[i] + " in a vector lane");
                }
            }
        }
    }

    @Test
    void softmaxGivesTheSameBitsBeforeAndAfterTheJitCompilesIt() {
        Random rnd = new Random(3);
        float[] input = new float[100];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (rnd.nextGaussian() * 10);
        }
        float[] first = input.clone();
        FloatArrays.softmax(first, first.length, 0.125f);
        for (int round = 0; round < 30_000; round++) {
            float[] again = input.clone();
            FloatArrays.softmax(again, again.length, 0.125f);
            for (int i = 0; i < again.length; i++) {
                if (Float.floatToRawIntBits(first[i]) != Float.floatToRawIntBits(again[i])) {
                    throw new AssertionError("round " + round + ", index " + i + ": " + again[i] + " after " + first[i]);
                }
            }
        }
    }
}
