package org.iteralign.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each format against a reference decoder written here, byte by byte, from the block layout in
 * ggml-common.h; blocks are random bytes with sane f16 scales.
 */
class FloatTensorTest {
    private static final int BLOCKS = 12;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q6_K"})
    void dequantizeMatchesTheLayoutAndDotMatchesDequantize(GgmlType type) {
        Random rnd = new Random(type.ordinal());
        int n = BLOCKS * Math.max(type.blockSize(), 32);
        byte[] bytes = randomBlocks(type, n, rnd);
        float[] expected = reference(type, bytes, n);
        FloatTensor t = FloatTensor.of(type, MemorySegment.ofArray(bytes), n);
        assertEquals(n, t.size());

        float[] all = new float[n];
        t.dequantize(0, all, 0, n);
        assertArrayEquals(expected, all, 1e-6f * maxAbs(expected), "dequantize " + type);
        float[] scalar = new float[n];
        t.dequantizeScalar(0, n / type.blockSize(), scalar, 0);
        assertArrayEquals(expected, scalar, 1e-6f * maxAbs(expected));

        // A row from the middle, written at an offset.
        int bs = Math.max(type.blockSize(), 32);
        float[] part = new float[bs + 3];
        t.dequantize(bs * 2L, part, 3, bs);
        for (int i = 0; i < bs; i++) {
            assertEquals(expected[2 * bs + i], part[3 + i], 1e-6f * maxAbs(expected));
        }

        float[] x = new float[n + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int start : new int[] {0, bs, n - bs}) {
            int len = start == 0 ? n : bs;
            double ref = 0;
            double mag = 0;
            for (int i = 0; i < len; i++) {
                ref += (double) expected[start + i] * x[5 + i];
                mag += Math.abs((double) expected[start + i] * x[5 + i]);
            }
            float dot = t.dot(start, x, 5, len);
            assertEquals(ref, dot, 1e-5 * mag + 1e-6, type + " dot at " + start);
            assertEquals(ref, t.dotScalar(start / type.blockSize(), len / type.blockSize(), x, 5), 1e-5 * mag + 1e-6);
        }
    }

    /** The invariant batch invariance rests on: fused and decode-then-dot paths give identical bits. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q6_K"})
    void fusedDotAndMatmulGiveTheSameBitsAsDecodeThenDot(GgmlType type) {
        Random rnd = new Random(100 + type.ordinal());
        int bs = Math.max(type.blockSize(), 32);
        int rows = 37; // an odd tile at the end, odd rows in it
        for (int blocksPerRow : new int[] {1, 2, 3, 5, 18}) {
            int in = bs * blocksPerRow + (type == GgmlType.F32 ? 7 : 0);
            int n = in * rows;
            byte[] bytes = randomBlocks(type, n, rnd);
            FloatTensor t = FloatTensor.of(type, MemorySegment.ofArray(bytes), n);
            float[] w = new float[n];
            t.dequantize(0, w, 0, n);
            float[][] x = new float[5][in];
            for (float[] row : x) {
                for (int i = 0; i < in; i++) {
                    row[i] = (float) rnd.nextGaussian();
                }
            }
            float[][] one = new float[1][rows];
            float[][] five = new float[5][rows];
            t.matmul(new float[][] {x[2]}, one);
            t.matmul(x, five);
            for (int r = 0; r < rows; r++) {
                float expected = FloatArrays.dot(w, r * in, x[2], 0, in);
                assertEquals(expected, t.dot((long) r * in, x[2], 0, in), 0f, type + " row " + r + " of " + in);
                assertEquals(expected, one[0][r], 0f);
                assertEquals(expected, five[2][r], 0f);
            }
        }
    }

    /** q, k and v (or gate and up) in one parallel pass: mixed formats and heights, a batch of one and of three. */
    @Test
    void matricesSharingAnInputGiveTheSameBitsTogetherAsAlone() {
        Random rnd = new Random(7);
        int in = 64;
        GgmlType[] types = {GgmlType.Q4_1, GgmlType.Q8_0, GgmlType.F32};
        int[] heights = {70, 1, 129};
        List<FloatTensor> ws = new ArrayList<>();
        for (int m = 0; m < types.length; m++) {
            ws.add(FloatTensor.of(types[m], MemorySegment.ofArray(randomBlocks(types[m], in * heights[m], rnd)), (long) in * heights[m]));
        }
        for (int batch : new int[] {1, 3}) {
            float[][] x = new float[batch][in];
            for (float[] row : x) {
                for (int i = 0; i < in; i++) {
                    row[i] = (float) rnd.nextGaussian();
                }
            }
            List<float[][]> together = new ArrayList<>();
            for (int h : heights) {
                together.add(new float[batch][h]);
            }
            FloatTensor.matmul(x, ws, together);
            for (int m = 0; m < ws.size(); m++) {
                float[][] alone = new float[batch][heights[m]];
                ws.get(m).matmul(x, alone);
                for (int b = 0; b < batch; b++) {
                    assertArrayEquals(alone[b], together.get(m)[b], 0f, types[m] + " batch row " + b);
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> FloatTensor.matmul(new float[1][in], ws, List.of(new float[1][70], new float[1][2], new float[1][129])));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_K"})
    void rejectsPartialBlocksAndWrongSizes(GgmlType type) {
        byte[] bytes = new byte[type.typeSize() * 2];
        FloatTensor t = FloatTensor.of(type, MemorySegment.ofArray(bytes), type.blockSize() * 2L);
        assertThrows(IndexOutOfBoundsException.class, () -> t.dequantize(1, new float[64], 0, type.blockSize()));
        assertThrows(IndexOutOfBoundsException.class, () -> t.dot(0, new float[1], 0, type.blockSize()));
        assertThrows(IndexOutOfBoundsException.class,
                () -> t.dequantize(type.blockSize() * 2L, new float[type.blockSize()], 0, type.blockSize()));
        assertThrows(IllegalArgumentException.class,
                () -> FloatTensor.of(type, MemorySegment.ofArray(bytes), type.blockSize()));
    }

    private static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return Math.max(m, 1e-30f);
    }

    private static byte[] randomBlocks(GgmlType type, int n, Random rnd) {
        int blocks = n / type.blockSize();
        ByteBuffer b = ByteBuffer.allocate(blocks * type.typeSize()).order(ByteOrder.LITTLE_ENDIAN);
        rnd.nextBytes(b.array());
        for (int k = 0; k < blocks; k++) {
            int base = k * type.typeSize();
            switch (type) {
                case F32 -> b.putFloat(base, (float) rnd.nextGaussian());
                case F16 -> b.putShort(base, Float.floatToFloat16((float) rnd.nextGaussian()));
                case BF16 -> b.putShort(base, (short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
                case Q8_0, Q4_0 -> b.putShort(base, half(rnd));
                case Q4_1, Q4_K -> {
                    b.putShort(base, half(rnd));
                    b.putShort(base + 2, half(rnd));
                }
                case Q6_K -> b.putShort(base + 208, half(rnd));
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return b.array();
    }

    private static short half(Random rnd) {
        return Float.floatToFloat16((float) (rnd.nextGaussian() * 0.05));
    }

    private static float[] reference(GgmlType type, byte[] bytes, int n) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] y = new float[n];
        int ts = type.typeSize();
        for (int k = 0; k < n / type.blockSize(); k++) {
            int p = k * ts;
            int o = k * type.blockSize();
            switch (type) {
                case F32 -> y[o] = b.getFloat(p);
                case F16 -> y[o] = Float.float16ToFloat(b.getShort(p));
                case BF16 -> y[o] = Float.intBitsToFloat((b.getShort(p) & 0xFFFF) << 16);
                case Q8_0 -> {
                    for (int i = 0; i < 32; i++) {
                        y[o + i] = h(b, p) * b.get(p + 2 + i);
                    }
                }
                case Q4_0 -> {
                    for (int i = 0; i < 32; i++) {
                        y[o + i] = h(b, p) * (nibble(b, p + 2, i) - 8);
                    }
                }
                case Q4_1 -> {
                    for (int i = 0; i < 32; i++) {
                        y[o + i] = h(b, p) * nibble(b, p + 4, i) + h(b, p + 2);
                    }
                }
                case Q4_K -> {
                    int[] sc = new int[8];
                    int[] mn = new int[8];
                    unpackScales(b, p + 4, sc, mn);
                    for (int i = 0; i < 256; i++) {
                        int sub = i / 32;
                        int chunk = i / 64;
                        int byteAt = p + 16 + chunk * 32 + i % 32;
                        int q = sub % 2 == 0 ? b.get(byteAt) & 0xF : (b.get(byteAt) >> 4) & 0xF;
                        y[o + i] = h(b, p) * sc[sub] * q - h(b, p + 2) * mn[sub];
                    }
                }
                case Q6_K -> {
                    for (int i = 0; i < 256; i++) {
                        int half = i / 128;
                        int r = i % 128;
                        int quarter = r / 32;
                        int l = r % 32;
                        int qlByte = b.get(p + 64 * half + l + (quarter % 2) * 32) & 0xFF;
                        int low = quarter < 2 ? qlByte & 0xF : qlByte >> 4;
                        int high = ((b.get(p + 128 + 32 * half + l) & 0xFF) >> (2 * quarter)) & 3;
                        int scale = b.get(p + 192 + i / 16);
                        y[o + i] = h(b, p + 208) * scale * ((low | high << 4) - 32);
                    }
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return y;
    }

    private static float h(ByteBuffer b, int p) {
        return Float.float16ToFloat(b.getShort(p));
    }

    /** Value i of a 32-value block of nibbles: 0..15 are low nibbles, 16..31 high nibbles of the same 16 bytes. */
    private static int nibble(ByteBuffer b, int qs, int i) {
        int v = b.get(qs + i % 16) & 0xFF;
        return i < 16 ? v & 0xF : v >> 4;
    }

    /** The 12 scale bytes as 8 six-bit scales and mins, by bit position. */
    private static void unpackScales(ByteBuffer b, int p, int[] sc, int[] mn) {
        int[] u = new int[12];
        for (int i = 0; i < 12; i++) {
            u[i] = b.get(p + i) & 0xFF;
        }
        for (int j = 0; j < 4; j++) {
            sc[j] = u[j] & 0x3F;
            mn[j] = u[j + 4] & 0x3F;
            sc[j + 4] = (u[j + 8] & 0x0F) | (u[j] >> 6) << 4;
            mn[j + 4] = (u[j + 8] >> 4) | (u[j + 4] >> 6) << 4;
        }
    }
}
