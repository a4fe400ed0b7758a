package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.iteralign.engine.tensor.FloatTensor;
import org.iteralign.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;

/**
 * Q8_0 encoding as ggml's reference quantiser does it. That our bytes equal llama.cpp's for whole models is
 * checked in {@code TinyQuantModelsTest}, against the SHA-256 of llama.cpp's own Q8_0 files.
 */
class Q8_0QuantizerTest {
    @Test
    void halvesRoundAwayFromZeroAndTheLargestValueMapsTo127() {
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        x[5] = -127;
        x[6] = 0.49f;
        byte[] bytes = encode(x);
        assertEquals(34, bytes.length);
        assertEquals(Float.floatToFloat16(1f), (short) ((bytes[0] & 0xff) | bytes[1] << 8), "d = 127 / 127");
        assertArrayEquals(new byte[] {127, 3, -3, 1, -1, -127, 0, 0}, Arrays.copyOfRange(bytes, 2, 10));
    }

    @Test
    void aZeroBlockHasAZeroScale() {
        byte[] bytes = encode(new float[64]);
        assertArrayEquals(new byte[68], bytes);
    }

    @Test
    void ourEngineDecodesTheBytesToWithinHalfAStep() {
        Random rnd = new Random(7);
        float[] x = new float[32 * 40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
        }
        byte[] bytes = encode(x);
        float[] decoded = new float[x.length];
        FloatTensor.of(GgmlType.Q8_0, MemorySegment.ofArray(bytes), x.length).dequantize(0, decoded, 0, x.length);
        for (int b = 0; b < x.length; b += 32) {
            float amax = 0;
            for (int i = b; i < b + 32; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
            }
            // Half a step of d = amax / 127, plus what storing d in f16 (11 significant bits) moves 127 steps.
            double bound = amax / 127 * (0.5 + 127 * 0x1p-11);
            for (int i = b; i < b + 32; i++) {
                assertTrue(Math.abs(x[i] - decoded[i]) <= bound, "value " + i + ": " + x[i] + " decoded as " + decoded[i]);
            }
        }
    }

    @Test
    void partialBlocksAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Q8_0Quantizer.quantize(new float[40], 0, 40, ByteBuffer.allocate(100)));
    }

    private static byte[] encode(float[] x) {
        ByteBuffer out = ByteBuffer.allocate(Q8_0Quantizer.byteSize(x.length));
        Q8_0Quantizer.quantize(x, 0, x.length, out);
        assertEquals(0, out.remaining());
        return out.array();
    }
}
