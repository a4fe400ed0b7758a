package org.iteralign.bench;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What this machine can do at best, measured with the same Vector API the engine uses, on all cores:
 * the FP32 multiply-add rate of a small cache-resident matrix product, and the rate of streaming reads
 * from memory. A kernel's speed means most next to these.
 */
final class MachineLimits {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int M = 64;
    private static final int N = 4 * F.length();
    private static final int K = 128;

    private MachineLimits() {}

    /**
     * GFLOP/s of C = A B with A (M x K) and B (K x N) in the L1 cache: an 8-row by 2-vector tile of C
     * stays in sixteen registers while k runs, one broadcast and two FMAs per row, as in a GEMM micro-kernel.
     */
    static double matmulGflops(double seconds) {
        int threads = Runtime.getRuntime().availableProcessors();
        float[][] a = new float[threads][M * K];
        float[][] b = new float[threads][K * N];
        float[][] c = new float[threads][M * N];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < a[t].length; i++) {
                a[t][i] = (i % 7) * 0.01f;
            }
            for (int i = 0; i < b[t].length; i++) {
                b[t][i] = (i % 5) * 0.01f;
            }
        }
        for (int warm = 0; warm < 2000; warm++) {
            gemm(a[0], b[0], c[0]);
        }
        long[] reps = new long[threads];
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        IntStream.range(0, threads).parallel().forEach(t -> {
            while (System.nanoTime() < end) {
                gemm(a[t], b[t], c[t]);
                reps[t]++;
            }
        });
        double elapsed = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (long r : reps) {
            total += r;
        }
        return 2.0 * M * N * K * total / elapsed / 1e9;
    }

    private static void gemm(float[] a, float[] b, float[] c) {
        int l = F.length();
        for (int i = 0; i < M; i += 8) {
            for (int j = 0; j < N; j += 2 * l) {
                FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
                FloatVector d0 = c0, d1 = c0, d2 = c0, d3 = c0, d4 = c0, d5 = c0, d6 = c0, d7 = c0;
                for (int k = 0; k < K; k++) {
                    FloatVector b0 = FloatVector.fromArray(F, b, k * N + j);
                    FloatVector b1 = FloatVector.fromArray(F, b, k * N + j + l);
                    FloatVector x = FloatVector.broadcast(F, a[i * K + k]);
                    c0 = x.fma(b0, c0);
                    d0 = x.fma(b1, d0);
                    x = FloatVector.broadcast(F, a[(i + 1) * K + k]);
                    c1 = x.fma(b0, c1);
                    d1 = x.fma(b1, d1);
                    x = FloatVector.broadcast(F, a[(i + 2) * K + k]);
                    c2 = x.fma(b0, c2);
                    d2 = x.fma(b1, d2);
                    x = FloatVector.broadcast(F, a[(i + 3) * K + k]);
                    c3 = x.fma(b0, c3);
                    d3 = x.fma(b1, d3);
                    x = FloatVector.broadcast(F, a[(i + 4) * K + k]);
                    c4 = x.fma(b0, c4);
                    d4 = x.fma(b1, d4);
                    x = FloatVector.broadcast(F, a[(i + 5) * K + k]);
                    c5 = x.fma(b0, c5);
                    d5 = x.fma(b1, d5);
                    x = FloatVector.broadcast(F, a[(i + 6) * K + k]);
                    c6 = x.fma(b0, c6);
                    d6 = x.fma(b1, d6);
                    x = FloatVector.broadcast(F, a[(i + 7) * K + k]);
                    c7 = x.fma(b0, c7);
                    d7 = x.fma(b1, d7);
                }
                // Stored one by one: an array of the sixteen would make C2 box them and leave the registers.
                c0.intoArray(c, i * N + j);
                d0.intoArray(c, i * N + j + l);
                c1.intoArray(c, (i + 1) * N + j);
                d1.intoArray(c, (i + 1) * N + j + l);
                c2.intoArray(c, (i + 2) * N + j);
                d2.intoArray(c, (i + 2) * N + j + l);
                c3.intoArray(c, (i + 3) * N + j);
                d3.intoArray(c, (i + 3) * N + j + l);
                c4.intoArray(c, (i + 4) * N + j);
                d4.intoArray(c, (i + 4) * N + j + l);
                c5.intoArray(c, (i + 5) * N + j);
                d5.intoArray(c, (i + 5) * N + j + l);
                c6.intoArray(c, (i + 6) * N + j);
                d6.intoArray(c, (i + 6) * N + j + l);
                c7.intoArray(c, (i + 7) * N + j);
                d7.intoArray(c, (i + 7) * N + j + l);
            }
        }
    }

    /** GB/s of summing a 128 MB array, far larger than any cache, split across all cores; best of five passes. */
    static double memoryReadGbps() {
        float[] data = new float[32 << 20];
        for (int i = 0; i < data.length; i += 1024) {
            data[i] = 1;
        }
        int threads = Runtime.getRuntime().availableProcessors();
        int chunk = data.length / threads / F.length() * F.length();
        double best = 0;
        float sink = 0;
        for (int pass = 0; pass < 5; pass++) {
            long t0 = System.nanoTime();
            sink += (float) IntStream.range(0, threads).parallel().mapToDouble(t -> {
                FloatVector acc = FloatVector.zero(F);
                for (int i = t * chunk; i < (t + 1) * chunk; i += F.length()) {
                    acc = acc.add(FloatVector.fromArray(F, data, i));
                }
                return acc.reduceLanes(VectorOperators.ADD);
            }).sum();
            best = Math.max(best, (double) chunk * threads * Float.BYTES / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        if (sink < 0) {
            throw new AssertionError("unreachable: the sum keeps the reads from being optimised away");
        }
        return best;
    }
}
