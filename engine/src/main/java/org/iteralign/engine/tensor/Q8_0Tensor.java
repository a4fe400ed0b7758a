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
        return bytesToFloats(data, base + 2 + element % 32).mul(f16(data, base));
    }
}
