package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Little-endian IEEE single precision. */
public final class F32Tensor extends FloatTensor {
    F32Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    void dequantizeScalar(long first, int n, float[] out, int outOffset) {
        MemorySegment.copy(data, FLOAT_LE, first * 4, out, outOffset, n);
    }

    /** The loop of {@link FloatArrays#dot} reading one side from the file, so the bits match. */
    @Override
    float dotVector(long first, int n, float[] x, int xOffset) {
        int l = F_SPECIES.length();
        FloatVector even = FloatVector.zero(F_SPECIES);
        FloatVector odd = even;
        int i = 0;
        for (; i + 2 * l <= n; i += 2 * l) {
            even = FloatVector.fromMemorySegment(F_SPECIES, data, (first + i) * 4, LE)
                    .fma(FloatVector.fromArray(F_SPECIES, x, xOffset + i), even);
            odd = FloatVector.fromMemorySegment(F_SPECIES, data, (first + i + l) * 4, LE)
                    .fma(FloatVector.fromArray(F_SPECIES, x, xOffset + i + l), odd);
        }
        if (i + l <= n) {
            even = FloatVector.fromMemorySegment(F_SPECIES, data, (first + i) * 4, LE)
                    .fma(FloatVector.fromArray(F_SPECIES, x, xOffset + i), even);
            i += l;
        }
        float sum = combine(even, odd);
        for (; i < n; i++) {
            sum = Math.fma(data.get(FLOAT_LE, (first + i) * 4), x[xOffset + i], sum);
        }
        return sum;
    }
}
