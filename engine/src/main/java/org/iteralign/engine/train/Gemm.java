package org.iteralign.engine.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code c += a · B} for activations {@code a} (rows of length k) and an F32 matrix B (k rows of n,
 * row-major, off-heap): the backward pass's products with the frozen weights. The inner kernel is an
 * outer product, 4 rows of a by 3 vectors of B's columns held in 12 accumulators, so no dot product
 * ever needs a horizontal sum; B is walked in panels of {@link #K_BLOCK} rows that stay in L2 while
 * every row of {@code a} passes over them. The cores split the column panels.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int L = S.length();
    private static final int COLUMNS = 3 * L;
    private static final int K_BLOCK = 1024;

    private Gemm() {}

    static void multiplyAdd(float[][] a, MemorySegment b, int k, int n, float[][] c) {
        if (b.byteSize() != (long) k * n * Float.BYTES) {
            throw new IllegalArgumentException("B of " + b.byteSize() + " bytes is not " + k + " x " + n + " floats");
        }
        int rows = a.length;
        int panels = (n + COLUMNS - 1) / COLUMNS;
        IntStream.range(0, panels).parallel().forEach(panel -> {
            int c0 = panel * COLUMNS;
            boolean full = c0 + COLUMNS <= n;
            for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
                int k1 = Math.min(k, k0 + K_BLOCK);
                int r = 0;
                if (full) {
                    for (; r + 4 <= rows; r += 4) {
                        kernel4(a, r, b, n, c0, k0, k1, c);
                    }
                }
                for (; r < rows; r++) {
                    edge(a[r], b, n, c0, Math.min(n, c0 + COLUMNS), k0, k1, c[r]);
                }
            }
        });
    }

    private static void kernel4(float[][] a, int r, MemorySegment b, int n, int c0, int k0, int k1, float[][] c) {
        float[] a0 = a[r];
        float[] a1 = a[r + 1];
        float[] a2 = a[r + 2];
        float[] a3 = a[r + 3];
        FloatVector c00 = FloatVector.fromArray(S, c[r], c0);
        FloatVector c01 = FloatVector.fromArray(S, c[r], c0 + L);
        FloatVector c02 = FloatVector.fromArray(S, c[r], c0 + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c[r + 1], c0);
        FloatVector c11 = FloatVector.fromArray(S, c[r + 1], c0 + L);
        FloatVector c12 = FloatVector.fromArray(S, c[r + 1], c0 + 2 * L);
        FloatVector c20 = FloatVector.fromArray(S, c[r + 2], c0);
        FloatVector c21 = FloatVector.fromArray(S, c[r + 2], c0 + L);
        FloatVector c22 = FloatVector.fromArray(S, c[r + 2], c0 + 2 * L);
        FloatVector c30 = FloatVector.fromArray(S, c[r + 3], c0);
        FloatVector c31 = FloatVector.fromArray(S, c[r + 3], c0 + L);
        FloatVector c32 = FloatVector.fromArray(S, c[r + 3], c0 + 2 * L);
        for (int kk = k0; kk < k1; kk++) {
            long off = ((long) kk * n + c0) * Float.BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, off, ByteOrder.LITTLE_ENDIAN);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, off + L * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            FloatVector b2 = FloatVector.fromMemorySegment(S, b, off + 2 * L * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            FloatVector x = FloatVector.broadcast(S, a0[kk]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, a1[kk]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, a2[kk]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(S, a3[kk]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            c32 = b2.fma(x, c32);
        }
        c00.intoArray(c[r], c0);
        c01.intoArray(c[r], c0 + L);
        c02.intoArray(c[r], c0 + 2 * L);
        c10.intoArray(c[r + 1], c0);
        c11.intoArray(c[r + 1], c0 + L);
        c12.intoArray(c[r + 1], c0 + 2 * L);
        c20.intoArray(c[r + 2], c0);
        c21.intoArray(c[r + 2], c0 + L);
        c22.intoArray(c[r + 2], c0 + 2 * L);
        c30.intoArray(c[r + 3], c0);
        c31.intoArray(c[r + 3], c0 + L);
        c32.intoArray(c[r + 3], c0 + 2 * L);
    }

    /** One row, columns [c0, c1): the leftover rows and the last, narrower panel. */
    private static void edge(float[] a, MemorySegment b, int n, int c0, int c1, int k0, int k1, float[] c) {
        for (int kk = k0; kk < k1; kk++) {
            float x = a[kk];
            if (x == 0) {
                continue;
            }
            int j = c0;
            FloatVector xv = FloatVector.broadcast(S, x);
            for (; j + L <= c1; j += L) {
                FloatVector.fromMemorySegment(S, b, ((long) kk * n + j) * Float.BYTES, ByteOrder.LITTLE_ENDIAN)
                        .fma(xv, FloatVector.fromArray(S, c, j)).intoArray(c, j);
            }
            for (; j < c1; j++) {
                c[j] = Math.fma(x, b.get(FLOAT_LE, ((long) kk * n + j) * Float.BYTES), c[j]);
            }
        }
    }
}
