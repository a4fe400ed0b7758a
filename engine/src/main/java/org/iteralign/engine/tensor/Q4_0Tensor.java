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
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(data, base);
            int o = outOffset + b * 32;
            for (int i = 0; i < 16; i += l) {
                ByteVector q = ByteVector.fromMemorySegment(B_SPECIES, data, base + 2 + i, LE);
                low(q).sub(8f).mul(d).intoArray(out, o + i);
                high(q).sub(8f).mul(d).intoArray(out, o + 16 + i);
            }
        }
    }

    @Override
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        int l = F_SPECIES.length();
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            int o = xOffset + b * 32;
            FloatVector block = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < 16; i += l) {
                ByteVector q = ByteVector.fromMemorySegment(B_SPECIES, data, base + 2 + i, LE);
                block = low(q).sub(8f).fma(FloatVector.fromArray(F_SPECIES, x, o + i), block);
                block = high(q).sub(8f).fma(FloatVector.fromArray(F_SPECIES, x, o + 16 + i), block);
            }
            acc = block.fma(FloatVector.broadcast(F_SPECIES, f16(data, base)), acc);
        }
        return sumLanes(acc);
    }

    static FloatVector low(ByteVector q) {
        return (FloatVector) q.and((byte) 0xF).castShape(F_SPECIES, 0);
    }

    static FloatVector high(ByteVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF).castShape(F_SPECIES, 0);
    }
}
