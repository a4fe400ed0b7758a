package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Blocks of 32: f16 scale {@code d}, f16 minimum {@code m}, then 16 bytes of nibbles laid out as in
 * Q4_0; value = d * nibble + m.
 */
public final class Q4_1Tensor extends FloatTensor {
    private static final int BYTES = 20;

    Q4_1Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    void dequantizeScalar(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(data, base);
            float m = f16(data, base + 2);
            int o = outOffset + b * 32;
            for (int i = 0; i < 16; i++) {
                int q = data.get(ValueLayout.JAVA_BYTE, base + 4 + i) & 0xFF;
                out[o + i] = Math.fma(d, q & 0xF, m);
                out[o + 16 + i] = Math.fma(d, q >>> 4, m);
            }
        }
    }

    @Override
    void dequantizeVector(long firstBlock, int blocks, float[] out, int outOffset) {
        int l = F_SPECIES.length();
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(data, base));
            FloatVector m = FloatVector.broadcast(F_SPECIES, f16(data, base + 2));
            for (int j = 0; j < 32; j += l) {
                nibbles(data, base + 4, j).fma(d, m).intoArray(out, outOffset + b * 32 + j);
            }
        }
    }

    /**
     * Decodes each chunk in registers and accumulates it exactly as {@link FloatArrays#dot} would the
     * decoded row (even chunks, odd chunks; a block holds an even number), so the bits match. Reads a
     * copy of the row ({@link #blockBytes}) and widens each block's 16 bytes once for both nibbles:
     * with 16 lanes a block is chunk 0 (low nibbles) and chunk 1 (high); with 8 lanes bytes 0..7 give
     * chunks 0 and 2, bytes 8..15 chunks 1 and 3.
     */
    @Override
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        int l = F_SPECIES.length();
        byte[] row = blockBytes(firstBlock, blocks);
        FloatVector even = FloatVector.zero(F_SPECIES);
        FloatVector odd = even;
        for (int b = 0; b < blocks; b++) {
            int base = b * BYTES;
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(row, base));
            FloatVector m = FloatVector.broadcast(F_SPECIES, f16(row, base + 2));
            int xo = xOffset + b * 32;
            if (l == 16) {
                IntVector q = widenedBytes(row, base + 4);
                even = lowNibbles(q).fma(d, m).fma(FloatVector.fromArray(F_SPECIES, x, xo), even);
                odd = highNibbles(q).fma(d, m).fma(FloatVector.fromArray(F_SPECIES, x, xo + 16), odd);
            } else {
                IntVector q = widenedBytes(row, base + 4);
                even = lowNibbles(q).fma(d, m).fma(FloatVector.fromArray(F_SPECIES, x, xo), even);
                even = highNibbles(q).fma(d, m).fma(FloatVector.fromArray(F_SPECIES, x, xo + 16), even);
                q = widenedBytes(row, base + 12);
                odd = lowNibbles(q).fma(d, m).fma(FloatVector.fromArray(F_SPECIES, x, xo + 8), odd);
                odd = highNibbles(q).fma(d, m).fma(FloatVector.fromArray(F_SPECIES, x, xo + 24), odd);
            }
        }
        return combine(even, odd);
    }

    /**
     * Two rows at a time, each pair copied out of the mapped file ({@link #blockBytes}) just before use: each
     * activation chunk is loaded once for both rows, four accumulator chains run side by side, and a block's two
     * f16 scales come from one int load. Per row the summation order is that of {@link #dotVector}, so the bits
     * match. Copying a task's rows all at once left memory idle while they were multiplied; pair by pair, the
     * prefetcher fetches the next rows meanwhile (decode 10% faster). Four rows ran four times slower: C2 stopped
     * inlining the vector calls in a body that large (NodeCountInliningCutoff). Reading the mapped file directly
     * instead of a copy was slower still. With 256-bit vectors the one-row kernel runs.
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
                int s = (int) INT_LE.get(w, p0 + o);
                FloatVector d = FloatVector.broadcast(F_SPECIES, Float.float16ToFloat((short) s));
                FloatVector m = FloatVector.broadcast(F_SPECIES, Float.float16ToFloat((short) (s >> 16)));
                IntVector q = widenedBytes(w, p0 + o + 4);
                e0 = lowNibbles(q).fma(d, m).fma(lo, e0);
                o0 = highNibbles(q).fma(d, m).fma(hi, o0);
                s = (int) INT_LE.get(w, p1 + o);
                d = FloatVector.broadcast(F_SPECIES, Float.float16ToFloat((short) s));
                m = FloatVector.broadcast(F_SPECIES, Float.float16ToFloat((short) (s >> 16)));
                q = widenedBytes(w, p1 + o + 4);
                e1 = lowNibbles(q).fma(d, m).fma(lo, e1);
                o1 = highNibbles(q).fma(d, m).fma(hi, o1);
            }
            out[first + r] = combine(e0, o0);
            out[first + r + 1] = combine(e1, o1);
        }
        super.dotRows(first + r, count - r, in, x, out);
    }

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
}
