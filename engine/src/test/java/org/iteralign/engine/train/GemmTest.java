package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The outer-product kernel against plain double loops, on sizes that hit every edge (row and column tails, K blocks). */
class GemmTest {
    @Test
    void multiplyAddMatchesPlainLoops() {
        Random rnd = new Random(3);
        int[][] shapes = {{1, 7, 5}, {4, 48, 96}, {7, 1030, 100}, {13, 64, 49}, {9, 2100, 17}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int k = shape[1];
            int n = shape[2];
            float[][] a = new float[rows][k];
            float[][] c = new float[rows][n];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < k; i++) {
                    a[r][i] = (float) rnd.nextGaussian();
                }
                for (int j = 0; j < n; j++) {
                    c[r][j] = (float) rnd.nextGaussian();
                }
            }
            float[] b = new float[k * n];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) rnd.nextGaussian();
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment seg = arena.allocate((long) b.length * Float.BYTES, 64);
                MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, b.length);
                float[][] before = new float[rows][];
                for (int r = 0; r < rows; r++) {
                    before[r] = c[r].clone();
                }
                Gemm.multiplyAdd(a, seg, k, n, c);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < n; j++) {
                        double expected = before[r][j];
                        for (int i = 0; i < k; i++) {
                            expected += (double) a[r][i] * b[i * n + j];
                        }
                        assertEquals(expected, c[r][j], 1e-5 * Math.sqrt(k) * 4, rows + "x" + k + "x" + n + " at " + r + "," + j);
                    }
                }
            }
        }
    }
}
