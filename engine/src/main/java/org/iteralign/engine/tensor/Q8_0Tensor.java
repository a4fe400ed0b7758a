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
            float d = f16(data, base);
            for (int i = 0; i < 32; i += l) {
                bytesToFloats(data, base + 2 + i).mul(d).intoArray(out, outOffset + b * 32 + i);
            }
        }
    }

    @Override
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        int l = F_SPECIES.length();
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            FloatVector block = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < 32; i += l) {
                block = bytesToFloats(data, base + 2 + i).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + b * 32 + i), block);
            }
            acc = block.fma(FloatVector.broadcast(F_SPECIES, f16(data, base)), acc);
        }
        return sumLanes(acc);
    }
}
