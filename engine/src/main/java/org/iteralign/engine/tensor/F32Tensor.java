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
        int chunks = n / l;
        FloatVector acc0 = FloatVector.zero(F_SPECIES);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int c = 0;
        for (; c + 4 <= chunks; c += 4) {
            int e = c * l;
            acc0 = w(first + e).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e), acc0);
            acc1 = w(first + e + l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e + l), acc1);
            acc2 = w(first + e + 2 * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e + 2 * l), acc2);
            acc3 = w(first + e + 3 * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + e + 3 * l), acc3);
        }
        if (c < chunks) {
            acc0 = w(first + (long) c * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + c * l), acc0);
            c++;
        }
        if (c < chunks) {
            acc1 = w(first + (long) c * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + c * l), acc1);
            c++;
        }
        if (c < chunks) {
            acc2 = w(first + (long) c * l).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + c * l), acc2);
        }
        float sum = combine(acc0, acc1, acc2, acc3);
        for (int i = chunks * l; i < n; i++) {
            sum = Math.fma(data.get(FLOAT_LE, (first + i) * 4), x[xOffset + i], sum);
        }
        return sum;
    }

    private FloatVector w(long element) {
        return FloatVector.fromMemorySegment(F_SPECIES, data, element * 4, LE);
    }
}
