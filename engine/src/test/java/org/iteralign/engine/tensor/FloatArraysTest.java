package org.iteralign.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention kernels against plain multiply-add chains written here: vector lanes and scalar tails
 * must give the same bits, so every count from a single column to several vectors plus a tail is tried.
 */
class FloatArraysTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 31, 64, 65, 100, 129})
    void columnDotsAreInOrderChainsOverTheRows(int count) {
        Random rnd = new Random(count);
        int n = 64;
        int stride = count + 9;
        float[] q = gaussian(rnd, n + 3);
        float[] k = gaussian(rnd, 5 + n * stride);
        float[] out = new float[count];
        FloatArrays.columnDots(q, 3, k, 5, stride, n, count, out);
        for (int t = 0; t < count; t++) {
            float expected = 0;
            double exact = 0;
            for (int i = 0; i < n; i++) {
                expected = Math.fma(q[3 + i], k[5 + i * stride + t], expected);
                exact += (double) q[3 + i] * k[5 + i * stride + t];
            }
            assertEquals(expected, out[t], 0f, "column " + t + " of " + count);
            assertEquals(exact, out[t], 1e-4, "column " + t);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 16, 40, 64, 72, 128})
    void weightedSumIsAxpyRowByRow(int n) {
        Random rnd = new Random(n);
        int count = 37;
        int stride = n + 11;
        float[] w = gaussian(rnd, count);
        float[] v = gaussian(rnd, 2 + count * stride);
        float[] expected = new float[n];
        for (int t = 0; t < count; t++) {
            FloatArrays.axpy(w[t], v, 2 + t * stride, expected, 0, n);
        }
        float[] out = new float[n + 4];
        FloatArrays.weightedSum(w, count, v, 2, stride, n, out, 4);
        for (int j = 0; j < n; j++) {
            assertEquals(expected[j], out[4 + j], 0f, "value " + j + " of " + n);
        }
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 100, 513})
    void softmaxMatchesDoublePrecisionAndSumsToOne(int n) {
        Random rnd = new Random(n);
        float[] a = gaussian(rnd, n + 5);
        for (int i = 0; i < a.length; i++) a[i] *= 20;
        float[] original = a.clone();
        float scale = 0.125f;
        FloatArrays.softmax(a, n, scale);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, (double) original[i] * scale);
        double z = 0;
        for (int i = 0; i < n; i++) z += Math.exp(original[i] * scale - max);
        double total = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(Math.exp(original[i] * scale - max) / z, a[i], 1e-6, "index " + i + " of " + n);
            total += a[i];
        }
        assertEquals(1, total, 1e-5);
        for (int i = n; i < a.length; i++) assertEquals(original[i], a[i], 0f, "past n stays");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 64, 1537})
    void swigluIsSiluOfGateTimesUp(int n) {
        Random rnd = new Random(n);
        float[] gate = gaussian(rnd, n);
        for (int i = 0; i < n; i++) gate[i] *= 8;
        float[] up = gaussian(rnd, n);
        float[] original = gate.clone();
        FloatArrays.swiglu(gate, up, gate);
        for (int i = 0; i < n; i++) {
            double g = original[i];
            double expected = g / (1 + Math.exp(-g)) * up[i];
            assertEquals(expected, gate[i], 1e-6 * (1 + Math.abs(expected)), "index " + i);
        }
        // Into an array of its own (as training does): the same values, the gate kept.
        float[] kept = original.clone();
        float[] out = new float[n];
        FloatArrays.swiglu(kept, up, out);
        assertArrayEquals(gate, out, 0f);
        assertArrayEquals(original, kept, 0f);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 17, 1000, 49152})
    void logSoftmaxMatchesDoublePrecision(int n) {
        Random rnd = new Random(n);
        float[] logits = gaussian(rnd, n);
        for (int i = 0; i < n; i++) logits[i] = logits[i] * 6 + 30;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double z = 0;
        for (float v : logits) z += Math.exp(v - max);
        for (int token : new int[] {0, n / 2, n - 1}) {
            assertEquals(logits[token] - max - Math.log(z), FloatArrays.logSoftmax(logits, token), 1e-5, "token " + token);
        }
    }
}
