package org.iteralign.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.tensor.GgmlType;

/**
 * A GGUF file (versions 2 and 3), memory-mapped. The header is parsed eagerly and every length in it
 * is checked against the bytes that remain, so a corrupt or truncated file fails with a
 * {@link ModelFormatException} before anything large is allocated; tensor data stays in the map.
 *
 * <p>Metadata values are exposed as Java values: integers up to 32 bits as {@link Integer}, unsigned
 * 32-bit and 64-bit integers as {@link Long}, {@link Float}, {@link Double}, {@link Boolean},
 * {@link String}; arrays as {@code int[]} (8..32-bit signed, 8/16-bit unsigned), {@code long[]}
 * (uint32, 64-bit), {@code float[]}, {@code double[]}, {@code boolean[]}, {@code List<String>}, and
 * {@code List<Object>} for arrays of arrays.
 */
public final class GgufFile implements AutoCloseable {
    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;

    private final Path path;
    private final Arena arena;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensor> tensors;
    private final int alignment;

    private GgufFile(Path path, Arena arena, int version, Map<String, Object> metadata,
                     Map<String, GgufTensor> tensors, int alignment) {
        this.path = path;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
    }

    /** Maps and parses {@code path}; the caller closes the result, which unmaps all tensor data. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            GgufFile parsed = parse(path, arena, file);
            return parsed;
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment file) {
        Cursor in = new Cursor(path, file);
        int magic = in.i32();
        if (magic != MAGIC) {
            throw new ModelFormatException(path, String.format("not a GGUF file (magic 0x%08x)", magic));
        }
        int version = in.i32();
        if (version != 2 && version != 3) {
            throw new ModelFormatException(path, "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (supported: 2, 3)");
        }
        // Smallest possible tensor info: empty name (8) + n_dims (4) + type (4) + offset (8).
        long tensorCount = in.count(24, "tensor count");
        // Smallest possible key/value: empty key (8) + type (4) + a one-byte value.
        long kvCount = in.count(13, "metadata count");

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string();
            int type = in.i32();
            Object value = in.value(type, key);
            if (metadata.putIfAbsent(key, value) != null) {
                throw new ModelFormatException(path, "metadata key '" + key + "' appears twice");
            }
        }
        int alignment = DEFAULT_ALIGNMENT;
        Object a = metadata.get("general.alignment");
        if (a != null) {
            if (!(a instanceof Integer || a instanceof Long) || ((Number) a).longValue() <= 0
                    || ((Number) a).longValue() > (1 << 20) || Long.bitCount(((Number) a).longValue()) != 1) {
                throw new ModelFormatException(path, "general.alignment must be a power of two, is " + a);
            }
            alignment = ((Number) a).intValue();
        }

        record Info(String name, long[] dims, GgmlType type, long offset, long bytes) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = in.string();
            int nDims = in.i32();
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new ModelFormatException(path, "tensor '" + name + "' has " + Integer.toUnsignedString(nDims)
                        + " dimensions (1.." + MAX_DIMS + " allowed)");
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = in.i64();
                if (dims[d] <= 0 || dims[d] > file.byteSize() * 8) {
                    throw new ModelFormatException(path, "tensor '" + name + "' has impossible dimension "
                            + Long.toUnsignedString(dims[d]));
                }
                elements = multiply(path, name, elements, dims[d]);
            }
            int typeId = in.i32();
            GgmlType type = GgmlType.fromId(typeId).orElseThrow(() -> new ModelFormatException(path,
                    "tensor '" + name + "' has unsupported ggml type " + Integer.toUnsignedString(typeId)));
            if (dims[0] % type.blockSize() != 0) {
                throw new ModelFormatException(path, "tensor '" + name + "' row of " + dims[0]
                        + " values is not a whole number of " + type + " blocks of " + type.blockSize());
            }
            long bytes = multiply(path, name, elements / type.blockSize(), type.typeSize());
            long offset = in.i64();
            if (offset < 0 || offset % alignment != 0) {
                throw new ModelFormatException(path, "tensor '" + name + "' offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            infos.add(new Info(name, dims, type, offset, bytes));
        }
        long dataStart = alignUp(in.position(), alignment);
        if (dataStart > file.byteSize()) {
            throw new ModelFormatException(path, "truncated: no data section after the header");
        }
        long dataSize = file.byteSize() - dataStart;
        Map<String, GgufTensor> tensors = new LinkedHashMap<>();
        for (Info t : infos) {
            if (t.offset() > dataSize || t.bytes() > dataSize - t.offset()) {
                throw new ModelFormatException(path, "tensor '" + t.name() + "' (" + t.bytes() + " bytes at offset "
                        + t.offset() + ") extends past the end of the file (data section has " + dataSize + " bytes)");
            }
            MemorySegment data = file.asSlice(dataStart + t.offset(), t.bytes());
            if (tensors.putIfAbsent(t.name(), new GgufTensor(t.name(), t.dims(), t.type(), t.offset(), data)) != null) {
                throw new ModelFormatException(path, "tensor '" + t.name() + "' appears twice");
            }
        }
        return new GgufFile(path, arena, version, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(tensors), alignment);
    }

    private static long multiply(Path path, String tensor, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(path, "tensor '" + tensor + "' is impossibly large");
        }
    }

    private static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** All metadata in file order, unmodifiable. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** All tensors in file order, unmodifiable. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public Optional<GgufTensor> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public GgufTensor tensor(String name) {
        return findTensor(name).orElseThrow(() -> new ModelFormatException(path, "missing tensor '" + name + "'"));
    }

    public boolean contains(String key) {
        return metadata.containsKey(key);
    }

    public Optional<String> findString(String key) {
        return find(key, String.class);
    }

    public String getString(String key) {
        return findString(key).orElseThrow(() -> missing(key));
    }

    public OptionalInt findInt(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (v instanceof Integer i) {
            return OptionalInt.of(i);
        }
        if (v instanceof Long l && l == (int) (long) l) {
            return OptionalInt.of((int) (long) l);
        }
        throw wrongType(key, "an integer that fits in 32 bits", v);
    }

    public int getInt(String key) {
        return findInt(key).orElseThrow(() -> missing(key));
    }

    /** A float metadata value; integer and float64 values are converted. */
    public OptionalDouble findDouble(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (v instanceof Number n) {
            return OptionalDouble.of(n.doubleValue());
        }
        throw wrongType(key, "a number", v);
    }

    public float getFloat(String key) {
        return (float) findDouble(key).orElseThrow(() -> missing(key));
    }

    public Optional<Float> findFloat(String key) {
        OptionalDouble d = findDouble(key);
        return d.isPresent() ? Optional.of((float) d.getAsDouble()) : Optional.empty();
    }

    public Optional<Boolean> findBoolean(String key) {
        return find(key, Boolean.class);
    }

    public boolean getBoolean(String key) {
        return findBoolean(key).orElseThrow(() -> missing(key));
    }

    public Optional<List<String>> findStringArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof List<?> list && list.stream().allMatch(e -> e instanceof String)) {
            @SuppressWarnings("unchecked")
            List<String> strings = (List<String>) list;
            return Optional.of(strings);
        }
        throw wrongType(key, "an array of strings", v);
    }

    public List<String> getStringArray(String key) {
        return findStringArray(key).orElseThrow(() -> missing(key));
    }

    /** An integer array; 64-bit and unsigned 32-bit elements must fit in an int. Returns a copy. */
    public Optional<int[]> findIntArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof int[] ints) {
            return Optional.of(ints.clone());
        }
        if (v instanceof long[] longs) {
            int[] ints = new int[longs.length];
            for (int i = 0; i < longs.length; i++) {
                if (longs[i] != (int) longs[i]) {
                    throw wrongType(key, "an array of 32-bit integers", v);
                }
                ints[i] = (int) longs[i];
            }
            return Optional.of(ints);
        }
        throw wrongType(key, "an array of integers", v);
    }

    public int[] getIntArray(String key) {
        return findIntArray(key).orElseThrow(() -> missing(key));
    }

    /** A float array (float64 elements are narrowed). Returns a copy. */
    public Optional<float[]> findFloatArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof float[] f) {
            return Optional.of(f.clone());
        }
        if (v instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return Optional.of(f);
        }
        throw wrongType(key, "an array of floats", v);
    }

    public float[] getFloatArray(String key) {
        return findFloatArray(key).orElseThrow(() -> missing(key));
    }

    private <T> Optional<T> find(String key, Class<T> type) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (type.isInstance(v)) {
            return Optional.of(type.cast(v));
        }
        throw wrongType(key, type.getSimpleName(), v);
    }

    private ModelFormatException missing(String key) {
        return new ModelFormatException(path, "missing metadata key '" + key + "'");
    }

    private ModelFormatException wrongType(String key, String expected, Object v) {
        return new ModelFormatException(path, "metadata key '" + key + "' should be " + expected + " but is a "
                + v.getClass().getSimpleName());
    }

    /** Unmaps the file; tensor segments obtained from it become unusable (accessing them throws). */
    @Override
    public void close() {
        arena.close();
    }

    /** Reads little-endian values with a bounds check before every read. */
    private static final class Cursor {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        /** Nesting limit for arrays of arrays, so a corrupt file cannot recurse the stack away. */
        private static final int MAX_DEPTH = 8;

        private final Path path;
        private final MemorySegment file;
        private long pos;

        Cursor(Path path, MemorySegment file) {
            this.path = path;
            this.file = file;
        }

        long position() {
            return pos;
        }

        private long remaining() {
            return file.byteSize() - pos;
        }

        private void need(long n) {
            if (n < 0 || n > remaining()) {
                throw new ModelFormatException(path, "truncated header at byte " + pos + " (needs "
                        + Long.toUnsignedString(n) + " more bytes, file has " + file.byteSize() + ")");
            }
        }

        byte i8() {
            need(1);
            return file.get(ValueLayout.JAVA_BYTE, pos++);
        }

        short i16() {
            need(2);
            short v = file.get(I16, pos);
            pos += 2;
            return v;
        }

        int i32() {
            need(4);
            int v = file.get(I32, pos);
            pos += 4;
            return v;
        }

        long i64() {
            need(8);
            long v = file.get(I64, pos);
            pos += 8;
            return v;
        }

        /** A 64-bit count of items each taking at least {@code minItemBytes}, checked against the file. */
        long count(long minItemBytes, String what) {
            long n = i64();
            if (n < 0 || n > remaining() / minItemBytes) {
                throw new ModelFormatException(path, "impossible " + what + " " + Long.toUnsignedString(n)
                        + " at byte " + (pos - 8) + " (only " + remaining() + " bytes remain)");
            }
            return n;
        }

        String string() {
            long len = i64();
            need(len);
            if (len > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(path, "string of " + len + " bytes at byte " + pos);
            }
            byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        Object value(int type, String key) {
            return value(type, key, 0);
        }

        private Object value(int type, String key, int depth) {
            return switch (type) {
                case 0 -> Byte.toUnsignedInt(i8());
                case 1 -> (int) i8();
                case 2 -> Short.toUnsignedInt(i16());
                case 3 -> (int) i16();
                case 4 -> Integer.toUnsignedLong(i32());
                case 5 -> i32();
                case 6 -> Float.intBitsToFloat(i32());
                case 7 -> bool(key);
                case 8 -> string();
                case 9 -> array(key, depth);
                case 10, 11 -> i64();
                case 12 -> Double.longBitsToDouble(i64());
                default -> throw new ModelFormatException(path, "metadata key '" + key
                        + "' has unknown value type " + Integer.toUnsignedString(type));
            };
        }

        private boolean bool(String key) {
            byte b = i8();
            if (b != 0 && b != 1) {
                throw new ModelFormatException(path, "metadata key '" + key + "' has boolean byte " + b);
            }
            return b == 1;
        }

        private Object array(String key, int depth) {
            if (depth >= MAX_DEPTH) {
                throw new ModelFormatException(path, "metadata key '" + key + "' nests arrays too deeply");
            }
            int type = i32();
            long minSize = switch (type) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 8, 10, 11, 12 -> 8;
                case 9 -> 12;
                default -> throw new ModelFormatException(path, "metadata key '" + key
                        + "' is an array of unknown value type " + Integer.toUnsignedString(type));
            };
            long n = count(minSize, "array length for '" + key + "'");
            int len = (int) Math.min(n, Integer.MAX_VALUE - 8);
            if (len != n) {
                throw new ModelFormatException(path, "metadata array '" + key + "' is too long: " + n);
            }
            switch (type) {
                case 0, 1, 2, 3, 5 -> {
                    int[] a = new int[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = ((Number) value(type, key, depth + 1)).intValue();
                    }
                    return a;
                }
                case 4, 10, 11 -> {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = ((Number) value(type, key, depth + 1)).longValue();
                    }
                    return a;
                }
                case 6 -> {
                    float[] a = new float[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = Float.intBitsToFloat(i32());
                    }
                    return a;
                }
                case 12 -> {
                    double[] a = new double[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = Double.longBitsToDouble(i64());
                    }
                    return a;
                }
                case 7 -> {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        a[i] = bool(key);
                    }
                    return a;
                }
                case 8 -> {
                    List<String> a = new ArrayList<>(len);
                    for (int i = 0; i < len; i++) {
                        a.add(string());
                    }
                    return Collections.unmodifiableList(a);
                }
                default -> {
                    List<Object> a = new ArrayList<>(len);
                    for (int i = 0; i < len; i++) {
                        a.add(array(key, depth + 1));
                    }
                    return Collections.unmodifiableList(a);
                }
            }
        }
    }
}
