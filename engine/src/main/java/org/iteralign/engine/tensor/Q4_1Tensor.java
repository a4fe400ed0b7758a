package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
}
