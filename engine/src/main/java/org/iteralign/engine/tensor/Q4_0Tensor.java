package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Blocks of 32: an f16 scale {@code d}, then 16 bytes whose low nibbles are values 0..15 and high
 * nibbles values 16..31; value = d * (nibble - 8).
 */
public final class Q4_0Tensor extends FloatTensor {
    private static final int BYTES = 18;

    Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    void dequantizeScalar(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(data, base);
            int o = outOffset + b * 32;
            for (int i = 0; i < 16; i++) {
                int q = data.get(ValueLayout.JAVA_BYTE, base + 2 + i) & 0xFF;
                out[o + i] = d * ((q & 0xF) - 8);
                out[o + 16 + i] = d * ((q >>> 4) - 8);
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
                nibbles(data, base + 2, j).sub(8f).mul(d).intoArray(out, outOffset + b * 32 + j);
            }
        }
    }

    /**
     * Decodes each chunk in registers and accumulates it exactly as {@link FloatArrays#dot} would the
     * decoded row (even chunks, odd chunks; a block holds an even number), so the bits match. Reads a
     * copy of the row and widens each block's bytes once for both nibbles, as {@link Q4_1Tensor} does.
     */
    @Override
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        byte[] row = blockBytes(firstBlock, blocks);
        FloatVector even = FloatVector.zero(F_SPECIES);
        FloatVector odd = even;
        boolean wide = F_SPECIES.length() == 16;
        for (int b = 0; b < blocks; b++) {
            int base = b * BYTES;
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(row, base));
            int xo = xOffset + b * 32;
            IntVector q = widenedBytes(row, base + 2);
            if (wide) {
                even = lowNibbles(q).sub(8f).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo), even);
                odd = highNibbles(q).sub(8f).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 16), odd);
            } else {
                even = lowNibbles(q).sub(8f).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo), even);
                even = highNibbles(q).sub(8f).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 16), even);
                q = widenedBytes(row, base + 10);
                odd = lowNibbles(q).sub(8f).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 8), odd);
                odd = highNibbles(q).sub(8f).mul(d).fma(FloatVector.fromArray(F_SPECIES, x, xo + 24), odd);
            }
        }
        return combine(even, odd);
    }
}
