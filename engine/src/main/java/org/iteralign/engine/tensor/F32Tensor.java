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

    @Override
    float dotVector(long first, int n, float[] x, int xOffset) {
        int i = 0;
        float sum = 0;
        if (n >= F_SPECIES.length()) {
            FloatVector acc = FloatVector.zero(F_SPECIES);
            for (int bound = F_SPECIES.loopBound(n); i < bound; i += F_SPECIES.length()) {
                FloatVector w = FloatVector.fromMemorySegment(F_SPECIES, data, (first + i) * 4, LE);
                acc = w.fma(FloatVector.fromArray(F_SPECIES, x, xOffset + i), acc);
            }
            sum = sumLanes(acc);
        }
        for (; i < n; i++) {
            sum = Math.fma(data.get(FLOAT_LE, (first + i) * 4), x[xOffset + i], sum);
        }
        return sum;
    }
}
