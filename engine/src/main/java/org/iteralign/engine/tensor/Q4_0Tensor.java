package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
        for (int e = 0; e < blocks * 32; e += l) {
            weights(firstBlock, e).intoArray(out, outOffset + e);
        }
    }

    /** Decodes in the accumulation order of {@link FloatArrays#dot}, so the bits match decode-then-dot. */
    @Override
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        int l = F_SPECIES.length();
        int chunks = blocks * 32 / l;
        FloatVector acc0 = FloatVector.zero(F_SPECIES);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int c = 0;
        for (; c + 4 <= chunks; c += 4) {
            int e = c * l;
            acc0 = weights(firstBlock, e).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e), acc0);
            acc1 = weights(firstBlock, e + l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e + l), acc1);
            acc2 = weights(firstBlock, e + 2 * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e + 2 * l), acc2);
            acc3 = weights(firstBlock, e + 3 * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e + 3 * l), acc3);
        }
        if (c < chunks) {
            acc0 = weights(firstBlock, c * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + c * l), acc0);
            c++;
        }
        if (c < chunks) {
            acc1 = weights(firstBlock, c * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + c * l), acc1);
            c++;
        }
        if (c < chunks) {
            acc2 = weights(firstBlock, c * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + c * l), acc2);
        }
        return combine(acc0, acc1, acc2, acc3);
    }

    /** Values {@code element .. element + L} counted from the start of {@code firstBlock}. */
    private FloatVector weights(long firstBlock, int element) {
        long base = (firstBlock + element / 32) * BYTES;
        int o = element % 32;
        ByteVector q = ByteVector.fromMemorySegment(B_SPECIES, data, base + 2 + (o & 15), LE);
        return (o < 16 ? low(q) : high(q)).sub(8f).mul(f16(data, base));
    }

    static FloatVector low(ByteVector q) {
        return (FloatVector) q.and((byte) 0xF).castShape(F_SPECIES, 0);
    }

    static FloatVector high(ByteVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF).castShape(F_SPECIES, 0);
    }
}
