package org.iteralign.engine.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iteralign.engine.tensor.GgmlType;
import org.iteralign.engine.train.Q8_0Quantizer;

/**
 * Floats encoded as ggml's reference quantisers encode them (the ones llama.cpp's quantiser runs without an
 * importance matrix), so a test can rebuild llama.cpp's quantised files instead of storing them. The bytes are
 * checked against the SHA-256 of llama.cpp's own output in {@link TinyQuantModelsTest}.
 */
final class GgmlReferenceEncoders {
    private GgmlReferenceEncoders() {}

    static byte[] encode(float[] values, GgmlType type) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(type.byteSize(values.length))).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (float v : values) {
                    out.putFloat(v);
                }
            }
            case F16 -> {
                for (float v : values) {
                    out.putShort(Float.floatToFloat16(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    out.putShort(bf16(v));
                }
            }
            case Q8_0 -> Q8_0Quantizer.quantize(values, 0, values.length, out);
            case Q4_0 -> {
                for (int b = 0; b < values.length; b += 32) {
                    q4_0(values, b, out);
                }
            }
            case Q4_1 -> {
                for (int b = 0; b < values.length; b += 32) {
                    q4_1(values, b, out);
                }
            }
            default -> throw new IllegalArgumentException("no reference encoder for " + type);
        }
        return out.array();
    }

    /** Round to nearest even on the upper 16 bits (NaNs do not occur in the test models). */
    private static short bf16(float v) {
        int u = Float.floatToRawIntBits(v);
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }

    /**
     * Symmetric 4 bits: the scale maps the value of largest magnitude, with its sign, to -8, so that value is
     * exact; codes are value / d + 8, truncated after adding one half, capped at 15.
     */
    private static void q4_0(float[] x, int at, ByteBuffer out) {
        float amax = 0;
        float max = 0;
        for (int i = at; i < at + 32; i++) {
            if (amax < Math.abs(x[i])) {
                amax = Math.abs(x[i]);
                max = x[i];
            }
        }
        float d = max / -8;
        float id = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[at + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[at + 16 + j] * id + 8.5f));
            out.put((byte) (lo | hi << 4));
        }
    }

    /** 4 bits between the block's minimum and maximum: value = d * code + m. */
    private static void q4_1(float[] x, int at, ByteBuffer out) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = at; i < at + 32; i++) {
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        float d = (max - min) / 15;
        float id = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        out.putShort(Float.floatToFloat16(min));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) ((x[at + j] - min) * id + 0.5f));
            int hi = Math.min(15, (int) ((x[at + 16 + j] - min) * id + 0.5f));
            out.put((byte) (lo | hi << 4));
        }
    }
}
