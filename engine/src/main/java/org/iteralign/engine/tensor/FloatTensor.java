package org.iteralign.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.IntStream;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.iteralign.engine.gguf.GgufTensor;

/**
 * A flat array of numbers stored in one of ggml's formats, read straight from a memory-mapped file.
 * Each format is a final subclass that knows its block layout; offsets and lengths passed to
 * {@link #dequantize} and {@link #dot} are in elements and must be whole blocks.
 *
 * <p>Every format has a scalar path written straight from the block layout and a Vector API path;
 * the scalar one runs when the CPU's vectors are narrower than 256 bits or when
 * {@code -Diteralign.engine.scalar=true} asks for it.
 */
public abstract sealed class FloatTensor
        permits F32Tensor, F16Tensor, BF16Tensor, Q8_0Tensor, Q4_0Tensor, Q4_1Tensor, Q4_KTensor, Q6_KTensor {

    static final VectorSpecies<Float> F_SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Bytes that widen to one float vector: 8 lanes of 256 bits or 16 of 512. */
    static final VectorSpecies<Byte> B_SPECIES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(F_SPECIES.length() * 8));
    static final VectorSpecies<Integer> I_SPECIES = F_SPECIES.withLanes(int.class);
    static final boolean VECTORIZED = F_SPECIES.length() >= 8 && !Boolean.getBoolean("iteralign.engine.scalar");

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    final MemorySegment data;
    final long size;

    FloatTensor(MemorySegment data, long size) {
        long bytes = type().byteSize(size);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException(type() + " tensor of " + size + " values needs " + bytes
                    + " bytes, got " + data.byteSize());
        }
        this.data = data;
        this.size = size;
    }

    /** Wraps a GGUF tensor; throws IllegalArgumentException for a format the engine cannot compute with. */
    public static FloatTensor of(GgufTensor t) {
        return of(t.type(), t.data(), t.elementCount());
    }

    public static FloatTensor of(GgmlType type, MemorySegment data, long size) {
        return switch (type) {
            case F32 -> new F32Tensor(data, size);
            case F16 -> new F16Tensor(data, size);
            case BF16 -> new BF16Tensor(data, size);
            case Q8_0 -> new Q8_0Tensor(data, size);
            case Q4_0 -> new Q4_0Tensor(data, size);
            case Q4_1 -> new Q4_1Tensor(data, size);
            case Q4_K -> new Q4_KTensor(data, size);
            case Q6_K -> new Q6_KTensor(data, size);
            default -> throw new IllegalArgumentException("no kernels for " + type + " tensors");
        };
    }

    public abstract GgmlType type();

    /** Number of values. */
    public final long size() {
        return size;
    }

    /** Writes values {@code [offset, offset + n)} to {@code out[outOffset...]}. */
    public final void dequantize(long offset, float[] out, int outOffset, int n) {
        long first = checkRange(offset, n);
        int blocks = n / type().blockSize();
        if (VECTORIZED) {
            dequantizeVector(first, blocks, out, outOffset);
        } else {
            dequantizeScalar(first, blocks, out, outOffset);
        }
    }

    /** The dot product of values {@code [offset, offset + n)} with {@code x[xOffset...]}. */
    public final float dot(long offset, float[] x, int xOffset, int n) {
        long first = checkRange(offset, n);
        if (xOffset < 0 || n > x.length - xOffset) {
            throw new IndexOutOfBoundsException("x[" + xOffset + ", +" + n + ") of " + x.length);
        }
        int blocks = n / type().blockSize();
        return VECTORIZED ? dotVector(first, blocks, x, xOffset) : dotScalar(first, blocks, x, xOffset);
    }

    /**
     * Treats this tensor as a matrix of {@code out[0].length} rows of {@code x[0].length} values and sets
     * {@code out[b] = this · x[b]} for every row {@code b} of the batch. Weight rows are decoded once per
     * call, a few at a time, and multiplied with all batch rows while they are in cache; the two cores
     * split the weight rows. Each result has the same bits whatever the batch size.
     */
    public final void matmul(float[][] x, float[][] out) {
        matmul(x, List.of(this), List.<float[][]>of(out));
    }

    /**
     * {@code outs.get(i) = matrices.get(i) · x} for matrices that share an input (q, k and v; gate and
     * up) in one parallel pass, with the same bits as one {@link #matmul(float[][], float[][])} each. A
     * decode step is a few hundred small products: each parallel pass waits for the other core at its
     * end, and on a busy machine that wait, not the arithmetic, is what grows (see {@link CoreTeam}).
     */
    public static void matmul(float[][] x, List<FloatTensor> matrices, List<float[][]> outs) {
        if (matrices.size() != outs.size()) {
            throw new IllegalArgumentException(matrices.size() + " matrices but " + outs.size() + " outputs");
        }
        int[] firstChunk = new int[matrices.size() + 1];
        for (int m = 0; m < matrices.size(); m++) {
            float[][] out = outs.get(m);
            if (x.length != out.length) {
                throw new IllegalArgumentException(x.length + " input rows but " + out.length + " output rows");
            }
            if (x.length == 0) {
                return;
            }
            FloatTensor w = matrices.get(m);
            int rows = out[0].length;
            if ((long) x[0].length * rows != w.size) {
                throw new IllegalArgumentException(w.type() + " tensor of " + w.size + " values is not " + rows + " x " + x[0].length);
            }
            firstChunk[m + 1] = firstChunk[m] + (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        }
        CoreTeam.forEach(firstChunk[matrices.size()], chunk -> {
            int m = 0;
            while (chunk >= firstChunk[m + 1]) {
                m++;
            }
            float[][] out = outs.get(m);
            int first = (chunk - firstChunk[m]) * ROWS_PER_TASK;
            matrices.get(m).multiplyRows(x, out, first, Math.min(out[0].length, first + ROWS_PER_TASK));
        });
    }

    /** Rows {@code [first, last)} of {@code out[b] = this · x[b]} for every batch row b. */
    private void multiplyRows(float[][] x, float[][] out, int first, int last) {
        int in = x[0].length;
        if (x.length <= FUSED_ROWS) {
            for (int b = 0; b < x.length; b++) {
                dotRows(first, last - first, in, x[b], out[b]);
            }
            return;
        }
        float[] tile = scratch(TILE, TILE_ROWS * in);
        float[] four = new float[4];
        for (int r0 = first; r0 < last; r0 += TILE_ROWS) {
            int n = Math.min(TILE_ROWS, last - r0);
            dequantize((long) r0 * in, tile, 0, n * in);
            int b = 0;
            for (; b + 1 < x.length; b += 2) {
                int t = 0;
                for (; t + 1 < n; t += 2) {
                    FloatArrays.dot2x2(tile, t * in, (t + 1) * in, x[b], x[b + 1], in, four);
                    out[b][r0 + t] = four[0];
                    out[b][r0 + t + 1] = four[1];
                    out[b + 1][r0 + t] = four[2];
                    out[b + 1][r0 + t + 1] = four[3];
                }
                if (t < n) {
                    out[b][r0 + t] = FloatArrays.dot(tile, t * in, x[b], 0, in);
                    out[b + 1][r0 + t] = FloatArrays.dot(tile, t * in, x[b + 1], 0, in);
                }
            }
            if (b < x.length) {
                for (int t = 0; t < n; t++) {
                    out[b][r0 + t] = FloatArrays.dot(tile, t * in, x[b], 0, in);
                }
            }
        }
    }

    /**
     * {@code out[r] = row r · x} for rows {@code [first, first + count)} of {@code in} values, each with
     * the bits of {@link #dot}. Formats whose kernel handles several rows at once override this.
     */
    void dotRows(int first, int count, int in, float[] x, float[] out) {
        for (int r = first; r < first + count; r++) {
            out[r] = dot((long) r * in, x, 0, in);
        }
    }

    /**
     * Up to this many rows, decoding the weights on the fly for each row beats decoding a tile once
     * and reusing it (measured on Q4_1, 576 columns). Both give the same bits.
     */
    private static final int FUSED_ROWS = 2;
    /**
     * Weight rows per parallel task. Long runs of consecutive rows keep the memory prefetcher streaming: in
     * interleaved decode runs 128 beat 64 in six of six (about 91 against 81 tok/s) and 32 lost to 64, although
     * 576 rows then split unevenly between two cores.
     */
    private static final int ROWS_PER_TASK = 128;
    private static final int TILE_ROWS = 16;
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[0]);

    private long checkRange(long offset, int n) {
        int bs = type().blockSize();
        if (offset < 0 || n < 0 || offset > size - n || offset % bs != 0 || n % bs != 0) {
            throw new IndexOutOfBoundsException("[" + offset + ", +" + n + ") is not whole " + type()
                    + " blocks within " + size + " values");
        }
        return offset / bs;
    }

    /** The reference decoding, block by block, exactly as the format defines it. */
    abstract void dequantizeScalar(long firstBlock, int blocks, float[] out, int outOffset);

    void dequantizeVector(long firstBlock, int blocks, float[] out, int outOffset) {
        dequantizeScalar(firstBlock, blocks, out, outOffset);
    }

    final float dotScalar(long firstBlock, int blocks, float[] x, int xOffset) {
        int bs = type().blockSize();
        float[] tmp = new float[bs];
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            dequantizeScalar(firstBlock + b, 1, tmp, 0);
            for (int i = 0; i < bs; i++) {
                sum = Math.fma(tmp[i], x[xOffset + b * bs + i], sum);
            }
        }
        return sum;
    }

    /** Formats without a fused kernel decode the range first; the result is the same bits either way. */
    float dotVector(long firstBlock, int blocks, float[] x, int xOffset) {
        int n = blocks * type().blockSize();
        float[] decoded = scratch(DOT_SCRATCH, n);
        dequantizeVector(firstBlock, blocks, decoded, 0);
        return FloatArrays.dot(decoded, 0, x, xOffset, n);
    }

    private static final ThreadLocal<float[]> DOT_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<byte[]> ROW_BYTES = ThreadLocal.withInitial(() -> new byte[0]);

    /**
     * The bytes of {@code blocks} blocks from {@code firstBlock}, copied in one bulk read to a per-thread
     * array that the next call reuses. The fused kernels read from this copy: every vector load from the
     * mapped segment pays bounds and liveness checks that C2 does not hoist, which cost the Q4_1 decode
     * loop a third of its time (8.0 to 5.4 ns a block on AVX-512), while array loads are checked once.
     */
    final byte[] blockBytes(long firstBlock, int blocks) {
        int n = Math.multiplyExact(blocks, type().typeSize());
        byte[] a = ROW_BYTES.get();
        if (a.length < n) {
            a = new byte[n];
            ROW_BYTES.set(a);
        }
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, firstBlock * type().typeSize(), a, 0, n);
        return a;
    }

    /** The little-endian f16 at {@code a[i]} and {@code a[i + 1]}. */
    static float f16(byte[] a, int i) {
        return Float.float16ToFloat((short) (a[i] & 0xFF | a[i + 1] << 8));
    }

    private static float[] scratch(ThreadLocal<float[]> holder, int n) {
        float[] a = holder.get();
        if (a.length < n) {
            a = new float[n];
            holder.set(a);
        }
        return a;
    }

    /** The fixed combination of the two accumulators every dot product ends with (see {@link FloatArrays}). */
    static float combine(FloatVector even, FloatVector odd) {
        return sumLanes(even.add(odd));
    }

    static float f16(MemorySegment s, long byteOffset) {
        return Float.float16ToFloat(s.get(SHORT_LE, byteOffset));
    }

    /**
     * Sums the lanes pairwise in a fixed tree (lane i with lane i + L/2, then i + L/4, ...), so a result
     * never depends on how the JIT would reduce a vector: four shuffles and adds instead of the fifteen
     * dependent scalar adds of a left-to-right sum, which cost a short row's dot product a fifth of its time.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> s : HALVES) {
            v = v.add(v.rearrange(s));
        }
        return v.lane(0);
    }

    /** Shuffles that swap lane i with lane i ^ h, for h = L/2, L/4, ..., 1. */
    private static final List<VectorShuffle<Float>> HALVES = IntStream.iterate(F_SPECIES.length() / 2, h -> h > 0, h -> h / 2)
            .mapToObj(h -> VectorShuffle.fromOp(F_SPECIES, i -> i ^ h)).toList();

    /**
     * Values {@code j .. j + L} of a 32-value block of nibbles at {@code qs}: values 0..15 are the low
     * nibbles of the 16 bytes, 16..31 the high ones. A shift by 0 or 4, not a branch, picks the half,
     * because C2 keeps vectors in registers only when no control flow merges two of them.
     */
    static FloatVector nibbles(MemorySegment s, long qs, int j) {
        IntVector q = (IntVector) ByteVector.fromMemorySegment(B_SPECIES, s, qs + (j & 15), LE).castShape(I_SPECIES, 0);
        return (FloatVector) q.lanewise(VectorOperators.LSHR, (j >> 4) << 2).and(0xF).castShape(F_SPECIES, 0);
    }

    /** {@code L} bytes at {@code a[i]} widened to floats, where {@code L} is the float vector length. */
    static FloatVector bytesToFloats(byte[] a, int i) {
        return (FloatVector) widenedBytes(a, i).castShape(F_SPECIES, 0);
    }

    /** {@code L} bytes at {@code byteOffset} widened to floats, where {@code L} is the float vector length. */
    static FloatVector bytesToFloats(MemorySegment s, long byteOffset) {
        return (FloatVector) ByteVector.fromMemorySegment(B_SPECIES, s, byteOffset, LE).castShape(F_SPECIES, 0);
    }

    /** The 16 bytes at {@code a[offset]}, or 8 with 256-bit vectors, widened to ints. */
    static IntVector widenedBytes(byte[] row, int offset) {
        return (IntVector) ByteVector.fromArray(B_SPECIES, row, offset).castShape(I_SPECIES, 0);
    }

    static FloatVector lowNibbles(IntVector q) {
        return (FloatVector) q.and(0xF).castShape(F_SPECIES, 0);
    }

    /** Bits 4..7 of each byte; the sign extension of the widening lands above them and is masked off. */
    static FloatVector highNibbles(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0xF).castShape(F_SPECIES, 0);
    }
}
