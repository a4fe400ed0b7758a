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
    private static final int N = 16 * F.length();
    private static final int K = 256;

    private MachineLimits() {}

    /**
     * GFLOP/s of C = A B with A (M x K) and B (K x N) in cache: a 4-row by 2-vector tile of C stays in
     * registers while k runs, so the loop is one broadcast and two FMAs per row, as in any GEMM micro-kernel.
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
        for (int warm = 0; warm < 200; warm++) {
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
        for (int i = 0; i < M; i += 4) {
            for (int j = 0; j < N; j += 2 * l) {
                FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
                FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                for (int k = 0; k < K; k++) {
                    FloatVector b0 = FloatVector.fromArray(F, b, k * N + j);
                    FloatVector b1 = FloatVector.fromArray(F, b, k * N + j + l);
                    FloatVector a0 = FloatVector.broadcast(F, a[i * K + k]);
                    FloatVector a1 = FloatVector.broadcast(F, a[(i + 1) * K + k]);
                    FloatVector a2 = FloatVector.broadcast(F, a[(i + 2) * K + k]);
                    FloatVector a3 = FloatVector.broadcast(F, a[(i + 3) * K + k]);
                    c00 = a0.fma(b0, c00);
                    c01 = a0.fma(b1, c01);
                    c10 = a1.fma(b0, c10);
                    c11 = a1.fma(b1, c11);
                    c20 = a2.fma(b0, c20);
                    c21 = a2.fma(b1, c21);
                    c30 = a3.fma(b0, c30);
                    c31 = a3.fma(b1, c31);
                }
                c00.intoArray(c, i * N + j);
                c01.intoArray(c, i * N + j + l);
                c10.intoArray(c, (i + 1) * N + j);
                c11.intoArray(c, (i + 1) * N + j + l);
                c20.intoArray(c, (i + 2) * N + j);
                c21.intoArray(c, (i + 2) * N + j + l);
                c30.intoArray(c, (i + 3) * N + j);
                c31.intoArray(c, (i + 3) * N + j + l);
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
