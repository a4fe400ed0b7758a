package org.iteralign.engine.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.gguf.GgufTensor;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.FloatTensor;
import org.iteralign.engine.tensor.GgmlType;

/**
 * Folds an adapter into its base model and writes the result as a new GGUF file that
 * {@code LlamaModel.load} (and llama.cpp) read like any other: W' = W + (alpha / r) · B · A for each
 * adapted matrix, stored as F32, F16 or Q8_0. With F32 and F16 every other tensor keeps its bytes and format.
 * Q8_0 makes the file llama.cpp's quantiser would make from a float model: every matrix still in a float format
 * (the embedding, the output) becomes Q8_0 too, vectors (norms, biases, RoPE factors) stay as they are, and
 * matrices already quantised keep their bytes, since re-encoding them in 8 bits would only add rounding.
 * The metadata (tokenizer, chat template) is copied byte for byte, so its value types stay exactly as they were.
 */
public final class LoraMerge {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LoraMerge() {}

    /** @param type F32, F16 or Q8_0, the format of the merged matrices */
    public static void writeGguf(LlamaModel base, LoraAdapter adapter, Path out, GgmlType type) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0) {
            throw new IllegalArgumentException("merged weights can be written as F32, F16 or Q8_0, not " + type);
        }
        LlamaConfig c = base.config();
        if (!c.equals(adapter.model())) {
            throw new IllegalArgumentException("the adapter was made for a model of another shape");
        }
        GgufFile gguf = base.gguf();
        Map<String, float[]> merged = new LinkedHashMap<>();
        for (int l = 0; l < c.blockCount(); l++) {
            for (Projection p : adapter.targets()) {
                merged.put(p.ggufTensor(l), merge(gguf.tensor(p.ggufTensor(l)), adapter, l, p));
            }
        }
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(gguf, merged, type, ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static float[] merge(GgufTensor t, LoraAdapter adapter, int l, Projection p) {
        LlamaConfig c = adapter.model();
        int in = p.in(c);
        int out = p.out(c);
        int rank = adapter.rank();
        float[] a = adapter.a(l, p);
        float[] b = adapter.b(l, p);
        float scale = adapter.scale();
        FloatTensor w = FloatTensor.of(t);
        float[] result = new float[in * out];
        IntStream.range(0, out).parallel().forEach(o -> {
            w.dequantize((long) o * in, result, o * in, in);
            for (int j = 0; j < rank; j++) {
                float f = scale * b[o * rank + j];
                for (int i = 0; i < in; i++) {
                    result[o * in + i] += f * a[j * in + i];
                }
            }
        });
        return result;
    }

    private static void write(GgufFile gguf, Map<String, float[]> merged, GgmlType type, FileChannel ch) throws IOException {
        try (Arena arena = Arena.ofConfined(); FileChannel src = FileChannel.open(gguf.path(), StandardOpenOption.READ)) {
            MemorySegment file = src.map(FileChannel.MapMode.READ_ONLY, 0, src.size(), arena);
            int version = file.get(I32, 4);
            long kvCount = file.get(I64, 16);
            long kvEnd = 24;
            for (long i = 0; i < kvCount; i++) {
                kvEnd = skipString(file, kvEnd);
                int valueType = file.get(I32, kvEnd);
                kvEnd = skipValue(file, kvEnd + 4, valueType);
            }
            int alignment = gguf.alignment();
            Sink sink = new Sink(ch);
            sink.i32(file.get(I32, 0)).i32(version).i64(gguf.tensors().size()).i64(kvCount);
            sink.bytes(file.asSlice(24, kvEnd - 24).asByteBuffer());
            long offset = 0;
            Map<String, GgmlType> formats = new LinkedHashMap<>();
            for (GgufTensor t : gguf.tensors().values()) {
                GgmlType tt = format(t, merged.containsKey(t.name()), type);
                formats.put(t.name(), tt);
                long bytes = tt.byteSize(t.elementCount());
                byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
                sink.i64(name.length).bytes(ByteBuffer.wrap(name)).i32(t.rank());
                for (long d : t.dims()) {
                    sink.i64(d);
                }
                sink.i32(tt.id()).i64(offset);
                offset = align(offset + bytes, alignment);
            }
            sink.pad(alignment);
            for (GgufTensor t : gguf.tensors().values()) {
                float[] values = merged.get(t.name());
                GgmlType tt = formats.get(t.name());
                if (values == null && tt == t.type()) {
                    sink.bytes(t.data().asByteBuffer());
                } else {
                    sink.bytes(encode(t, values, tt));
                }
                sink.pad(alignment);
            }
        }
    }

    /** The format {@code t} is written in. */
    private static GgmlType format(GgufTensor t, boolean merged, GgmlType type) {
        if (type != GgmlType.Q8_0) {
            return merged ? type : t.type();
        }
        boolean whole = t.dim(0) % Q8_0Quantizer.BLOCK == 0;
        if (merged) {
            // A row that is no whole number of 32-value blocks cannot be Q8_0; F16 is the next smallest
            // format llama.cpp computes with at any row length.
            return whole ? GgmlType.Q8_0 : GgmlType.F16;
        }
        boolean floatMatrix = t.rank() == 2
                && (t.type() == GgmlType.F32 || t.type() == GgmlType.F16 || t.type() == GgmlType.BF16);
        return floatMatrix && whole ? GgmlType.Q8_0 : t.type();
    }

    /** {@code t}'s values in {@code format}: {@code merged} when given, else {@code t}'s own, a row at a time. */
    private static ByteBuffer encode(GgufTensor t, float[] merged, GgmlType format) {
        int columns = Math.toIntExact(t.dim(0));
        long rows = t.elementCount() / columns;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(format.byteSize(t.elementCount()))).order(ByteOrder.LITTLE_ENDIAN);
        FloatTensor source = merged == null ? FloatTensor.of(t) : null;
        float[] row = new float[columns];
        for (long r = 0; r < rows; r++) {
            if (merged == null) {
                source.dequantize(r * columns, row, 0, columns);
            } else {
                System.arraycopy(merged, Math.toIntExact(r * columns), row, 0, columns);
            }
            switch (format) {
                case F32 -> {
                    for (float v : row) {
                        b.putFloat(v);
                    }
                }
                case F16 -> {
                    for (float v : row) {
                        b.putShort(Float.floatToFloat16(v));
                    }
                }
                case Q8_0 -> Q8_0Quantizer.quantize(row, 0, columns, b);
                default -> throw new IllegalStateException("no encoder for " + format);
            }
        }
        return b.flip();
    }

    private static long skipString(MemorySegment file, long at) {
        return at + 8 + file.get(I64, at);
    }

    /** Past one metadata value of GGUF type {@code type} starting at {@code at}. */
    private static long skipValue(MemorySegment file, long at, int type) {
        return switch (type) {
            case 0, 1, 7 -> at + 1;
            case 2, 3 -> at + 2;
            case 4, 5, 6 -> at + 4;
            case 10, 11, 12 -> at + 8;
            case 8 -> skipString(file, at);
            case 9 -> {
                int elementType = file.get(I32, at);
                long n = file.get(I64, at + 4);
                long p = at + 12;
                for (long i = 0; i < n; i++) {
                    p = skipValue(file, p, elementType);
                }
                yield p;
            }
            default -> throw new IllegalStateException("metadata value type " + type + " in a file GgufFile accepted");
        };
    }

    private static long align(long x, int alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    /** Little-endian writes that track the position, for padding. */
    private static final class Sink {
        private final FileChannel ch;
        private long position;

        Sink(FileChannel ch) {
            this.ch = ch;
        }

        Sink i32(int v) throws IOException {
            return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).flip());
        }

        Sink i64(long v) throws IOException {
            return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).flip());
        }

        Sink bytes(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                position += ch.write(b);
            }
            return this;
        }

        void pad(int alignment) throws IOException {
            int n = (int) (align(position, alignment) - position);
            if (n > 0) {
                bytes(ByteBuffer.allocate(n));
            }
        }
    }
}
