package org.iteralign.engine.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iteralign.engine.tensor.GgmlType;

/** Writes small GGUF v3 files for tests: synthetic models and corrupt-file fixtures. */
public final class GgufWriter {
    private record Tensor(String name, long[] dims, GgmlType type, byte[] data) {}

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    /** Values: String, Integer (int32), Long (uint64), Float, Boolean, int[], float[], List of String. */
    public GgufWriter put(String key, Object value) {
        metadata.put(key, value);
        if (key.equals("general.alignment")) {
            alignment = (Integer) value;
        }
        return this;
    }

    public GgufWriter tensor(String name, long[] dims, GgmlType type, byte[] data) {
        tensors.add(new Tensor(name, dims, type, data));
        return this;
    }

    /** An F32 tensor; {@code dims[0]} varies fastest. */
    public GgufWriter tensor(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return tensor(name, dims, GgmlType.F32, b.array());
    }

    public byte[] toBytes() {
        Out out = new Out();
        out.i32(GgufFile.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        metadata.forEach((k, v) -> {
            out.string(k);
            out.value(v);
        });
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name());
            out.i32(t.dims().length);
            for (long d : t.dims()) {
                out.i64(d);
            }
            out.i32(t.type().id());
            out.i64(offset);
            offset = align(offset + t.data().length);
        }
        out.pad(alignment);
        for (Tensor t : tensors) {
            out.bytes(t.data());
            out.pad(alignment);
        }
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private long align(long x) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static final class Out extends ByteArrayOutputStream {
        void i32(int v) {
            bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        void i64(long v) {
            bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes(b);
        }

        void pad(int alignment) {
            while (size() % alignment != 0) {
                write(0);
            }
        }

        void value(Object v) {
            switch (v) {
                case String s -> { i32(8); string(s); }
                case Integer i -> { i32(5); i32(i); }
                case Long l -> { i32(10); i64(l); }
                case Float f -> { i32(6); i32(Float.floatToRawIntBits(f)); }
                case Boolean b -> { i32(7); write(b ? 1 : 0); }
                case int[] a -> {
                    i32(9); i32(5); i64(a.length);
                    for (int x : a) {
                        i32(x);
                    }
                }
                case float[] a -> {
                    i32(9); i32(6); i64(a.length);
                    for (float x : a) {
                        i32(Float.floatToRawIntBits(x));
                    }
                }
                case List<?> a -> {
                    i32(9); i32(8); i64(a.size());
                    for (Object x : a) {
                        string((String) x);
                    }
                }
                default -> throw new IllegalArgumentException("cannot write " + v.getClass());
            }
        }
    }
}
