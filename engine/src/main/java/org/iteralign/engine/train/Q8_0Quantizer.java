package org.iteralign.engine.train;

import java.nio.ByteBuffer;

/**
 * Encodes floats in ggml's Q8_0 format: blocks of 32 values stored as an f16 scale {@code d = max|x| / 127}
 * and 32 signed bytes {@code round(x / d)}. The rounding follows ggml's reference quantiser (which
 * {@code llama-quantize} runs): the quotient is {@code x * (1 / d)} in float arithmetic with the unrounded
 * float {@code d}, rounded half away from zero, so our bytes equal llama.cpp's for the same input.
 */
public final class Q8_0Quantizer {
    public static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 2 + BLOCK;

    private Q8_0Quantizer() {}

    /** Q8_0 bytes of {@code values[offset, offset + n)}; {@code n} must be a whole number of blocks. */
    public static void quantize(float[] values, int offset, int n, ByteBuffer out) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException(n + " values is not a whole number of Q8_0 blocks");
        }
        for (int b = offset; b < offset + n; b += BLOCK) {
            float amax = 0;
            for (int i = b; i < b + BLOCK; i++) {
                amax = Math.max(amax, Math.abs(values[i]));
            }
            float d = amax / 127;
            float id = d != 0 ? 1 / d : 0;
            short half = Float.floatToFloat16(d);
            out.put((byte) half).put((byte) (half >> 8));
            for (int i = b; i < b + BLOCK; i++) {
                out.put((byte) roundHalfAwayFromZero(values[i] * id));
            }
        }
    }

    /** Bytes taken by {@code n} values. */
    public static int byteSize(int n) {
        return n / BLOCK * BLOCK_BYTES;
    }

    /** C's roundf; exact in double because a float plus one half never needs more than 53 bits. */
    private static int roundHalfAwayFromZero(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }
}
