package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/** Blocks of 32: an f16 scale {@code d}, then 32 signed bytes {@code q}; value = d * q. */
public final class Q8_0Tensor extends FloatTensor {
    private static final int BYTES = 34;

    Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    void dequantizeScalar(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(data, base);
            for (int i = 0; i < 32; i++) {
                out[outOffset + b * 32 + i] = d * data.get(ValueLayout.JAVA_BYTE, base + 2 + i);
            }
        }
    }

    @Override
    void dequantizeVector(long firstBlock, int blocks, float[] out, int outOffset) {
        int l = F_SPECIES.length();
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(data, base));
            for (int j = 0; j < 32; j += l) {
                bytesToFloats(data, base + 2 + j).mul(d).intoArray(out, outOffset + b * 32 + j);
            }
        }
    }

    /**
     * Decodes each chunk in registers and accumulates it exactly as {@link FloatArrays#dot} would the
     * decoded row (even chunks, odd chunks; a block holds an even number), so the bits match. Reads a
     * copy of the row ({@link #blockBytes}). The chunks of a block are written out rather than looped
     * over: swapping the two accumulators in an inner loop made C2 keep them in memory, at 45 ns a
     * block instead of 4.
     */
    @Override
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        byte[] row = blockBytes(firstBlock, blocks);
        FloatVector even = FloatVector.zero(F_SPECIES);
        FloatVector odd = even;
        boolean wide = F_SPECIES.length() == 16;
        for (int b = 0; b < blocks; b++) {
            int base = b * BYTES + 2;
            int xo = xOffset + b * 32;
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(row, base - 2));
            if (wide) {
                even = bytesToFloats(row, base).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo), even);
                odd = bytesToFloats(row, base + 16).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 16), odd);
            } else {
                even = bytesToFloats(row, base).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo), even);
                odd = bytesToFloats(row, base + 8).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 8), odd);
                even = bytesToFloats(row, base + 16).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 16), even);
                odd = bytesToFloats(row, base + 24).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 24), odd);
            }
        }
        return combine(even, odd);
    }

    /**
     * Two rows at a time, each pair copied out of the mapped file just before use, as {@link Q4_1Tensor} does:
     * each activation chunk is loaded once for both rows. Per row the summation order is that of
     * {@link #dotVector}, so the bits match.
     */
    @Override
    void dotRows(int first, int count, int in, float[] x, float[] out) {
        if (!VECTORIZED || F_SPECIES.length() != 16) {
            super.dotRows(first, count, in, x, out);
            return;
        }
        int blocks = in / 32;
        int rowBytes = blocks * BYTES;
        int r = 0;
        for (; r + 2 <= count; r += 2) {
            byte[] w = blockBytes((long) (first + r) * blocks, 2 * blocks);
            int p0 = 0;
            int p1 = rowBytes;
            FloatVector e0 = FloatVector.zero(F_SPECIES);
            FloatVector o0 = e0, e1 = e0, o1 = e0;
            for (int b = 0; b < blocks; b++) {
                FloatVector lo = FloatVector.fromArray(F_SPECIES, x, b * 32);
                FloatVector hi = FloatVector.fromArray(F_SPECIES, x, b * 32 + 16);
                int o = b * BYTES;
                FloatVector d = FloatVector.broadcast(F_SPECIES, f16(w, p0 + o));
                e0 = bytesToFloats(w, p0 + o + 2).mul(d).fma(lo, e0);
                o0 = bytesToFloats(w, p0 + o + 18).mul(d).fma(hi, o0);
                d = FloatVector.broadcast(F_SPECIES, f16(w, p1 + o));
                e1 = bytesToFloats(w, p1 + o + 2).mul(d).fma(lo, e1);
                o1 = bytesToFloats(w, p1 + o + 18).mul(d).fma(hi, o1);
            }
            out[first + r] = combine(e0, o0);
            out[first + r + 1] = combine(e1, o1);
        }
        super.dotRows(first + r, count - r, in, x, out);
    }
}
