package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;

/** bfloat16: the upper half of an IEEE single, so widening is a shift. */
public final class BF16Tensor extends FloatTensor {
    BF16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    void dequantizeScalar(long first, int n, float[] out, int outOffset) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Float.intBitsToFloat(data.get(SHORT_LE, (first + i) * 2) << 16);
        }
    }
}
