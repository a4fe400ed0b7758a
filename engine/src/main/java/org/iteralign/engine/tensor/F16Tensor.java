package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;

/** IEEE half precision; the JIT turns {@link Float#float16ToFloat} into the CPU's conversion instruction. */
public final class F16Tensor extends FloatTensor {
    F16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    void dequantizeScalar(long first, int n, float[] out, int outOffset) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = f16(data, (first + i) * 2);
        }
    }
}
