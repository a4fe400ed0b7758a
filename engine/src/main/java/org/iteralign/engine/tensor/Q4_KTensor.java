package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Super-blocks of 256: f16 {@code d} and {@code dmin}, 12 bytes packing eight 6-bit scales and eight
 * 6-bit minimums, then 128 bytes of nibbles. Each 64 values share 32 bytes: low nibbles are the first
 * 32-value sub-block, high nibbles the second; value = d * scale * nibble - dmin * min.
 */
public final class Q4_KTensor extends FloatTensor {
    private static final int BYTES = 144;

    Q4_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    void dequantizeScalar(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(data, base);
            float dmin = f16(data, base + 2);
            long scales = base + 4;
            long qs = base + 16;
            int o = outOffset + b * 256;
            for (int j = 0; j < 4; j++) {
                float d1 = d * scale(scales, 2 * j);
                float m1 = dmin * min(scales, 2 * j);
                float d2 = d * scale(scales, 2 * j + 1);
                float m2 = dmin * min(scales, 2 * j + 1);
                for (int i = 0; i < 32; i++) {
                    int q = u8(qs + 32 * j + i);
                    out[o + 64 * j + i] = d1 * (q & 0xF) - m1;
                    out[o + 64 * j + 32 + i] = d2 * (q >>> 4) - m2;
                }
            }
        }
    }

    /** Sub-blocks 0-3 keep their 6 bits in bytes 0-3; 4-7 split them: low 4 in bytes 8-11, high 2 on top of 0-3. */
    private int scale(long scales, int j) {
        return j < 4 ? u8(scales + j) & 63 : (u8(scales + j + 4) & 0xF) | ((u8(scales + j - 4) >>> 6) << 4);
    }

    private int min(long scales, int j) {
        return j < 4 ? u8(scales + j + 4) & 63 : (u8(scales + j + 4) >>> 4) | ((u8(scales + j) >>> 6) << 4);
    }

    private int u8(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }
}
