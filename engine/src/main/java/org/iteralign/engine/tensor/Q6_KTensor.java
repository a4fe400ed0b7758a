package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Super-blocks of 256: 128 bytes of low nibbles {@code ql}, 64 bytes of 2-bit high parts {@code qh},
 * 16 signed 8-bit scales (one per 16 values), f16 {@code d}; value = d * scale * (q6 - 32). Each half
 * of 128 values uses 64 bytes of ql and 32 of qh: value l, l+32, l+64, l+96 take the low nibble of
 * ql[l], of ql[l+32], the high nibble of ql[l], of ql[l+32], and bits 0-1, 2-3, 4-5, 6-7 of qh[l].
 */
public final class Q6_KTensor extends FloatTensor {
    private static final int BYTES = 210;

    Q6_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    void dequantizeScalar(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(data, base + 208);
            for (int half = 0; half < 2; half++) {
                long ql = base + 64 * half;
                long qh = base + 128 + 32 * half;
                long sc = base + 192 + 8 * half;
                int o = outOffset + b * 256 + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(qh + l);
                    int q1 = ((u8(ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((u8(ql + l + 32) & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    out[o + l] = d * s8(sc + is) * q1;
                    out[o + l + 32] = d * s8(sc + is + 2) * q2;
                    out[o + l + 64] = d * s8(sc + is + 4) * q3;
                    out[o + l + 96] = d * s8(sc + is + 6) * q4;
                }
            }
        }
    }

    private int u8(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private int s8(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset);
    }
}
