package org.iteralign.engine.safetensors;

import org.iteralign.engine.json.Json;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.iteralign.engine.ModelFormatException;

/**
 * A safetensors file, memory-mapped: an 8-byte little-endian header length, a UTF-8 JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {...}}}, then the data,
 * offsets counted from its start. Every number in the header is checked against the file before a
 * tensor is sliced, so a corrupt or truncated file fails with a {@link ModelFormatException}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation's limit; a larger length is taken for corruption. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final Map<String, SafetensorsTensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, SafetensorsTensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps and parses {@code path}; the caller closes the result, which unmaps all tensor data. */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return parse(path, arena, file);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, Arena arena, MemorySegment file) {
        if (file.byteSize() < 8) {
            throw new ModelFormatException(path, "truncated: " + file.byteSize() + " bytes, not even a header length");
        }
        long headerBytes = file.get(I64, 0);
        if (headerBytes < 2 || headerBytes > Math.min(MAX_HEADER_BYTES, file.byteSize() - 8)) {
            throw new ModelFormatException(path, "impossible header length " + Long.toUnsignedString(headerBytes)
                    + " (file has " + file.byteSize() + " bytes)");
        }
        Map<?, ?> header = switch (parseJson(path, file.asSlice(8, headerBytes))) {
            case Map<?, ?> m -> m;
            default -> throw new ModelFormatException(path, "header is not a JSON object");
        };
        long dataSize = file.byteSize() - 8 - headerBytes;
        MemorySegment data = file.asSlice(8 + headerBytes, dataSize);
        Map<String, String> metadata = Map.of();
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        record Range(String name, long begin, long end) {}
        List<Range> ranges = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                metadata = stringMap(path, e.getValue());
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw bad(path, name, "is not an object");
            }
            SafetensorsDtype dtype = info.get("dtype") instanceof String s ? SafetensorsDtype.named(s)
                    .orElseThrow(() -> bad(path, name, "has unknown dtype '" + s + "'")) : null;
            if (dtype == null) {
                throw bad(path, name, "has no dtype string");
            }
            long[] shape = longs(path, name, "shape", info.get("shape"));
            long[] offsets = longs(path, name, "data_offsets", info.get("data_offsets"));
            if (offsets.length != 2) {
                throw bad(path, name, "has " + offsets.length + " data_offsets, not 2");
            }
            long bytes = dtype.bytes();
            try {
                for (long d : shape) {
                    bytes = Math.multiplyExact(bytes, d);
                }
            } catch (ArithmeticException ex) {
                throw bad(path, name, "is impossibly large");
            }
            long begin = offsets[0];
            long end = offsets[1];
            if (begin > end || end > dataSize) {
                throw bad(path, name, "has data_offsets [" + begin + ", " + end + ") outside the " + dataSize
                        + " data bytes (truncated file?)");
            }
            if (end - begin != bytes) {
                throw bad(path, name, "has " + (end - begin) + " data bytes but shape " + Arrays.toString(shape)
                        + " of " + dtype + " needs " + bytes);
            }
            ranges.add(new Range(name, begin, end));
            tensors.put(name, new SafetensorsTensor(name, dtype, shape, data.asSlice(begin, bytes)));
        }
        ranges.sort(Comparator.comparingLong(Range::begin));
        for (int i = 1; i < ranges.size(); i++) {
            Range prev = ranges.get(i - 1);
            Range r = ranges.get(i);
            if (r.begin() < prev.end()) {
                throw bad(path, r.name(), "overlaps the data of '" + prev.name() + "'");
            }
        }
        return new SafetensorsFile(path, arena, Collections.unmodifiableMap(tensors), metadata);
    }

    private static Object parseJson(Path path, MemorySegment bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toArray(ValueLayout.JAVA_BYTE)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(path, "header is not UTF-8");
        }
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path, "header is not valid JSON: " + e.getMessage());
        }
    }

    private static Map<String, String> stringMap(Path path, Object value) {
        if (!(value instanceof Map<?, ?> m) || !m.values().stream().allMatch(v -> v instanceof String)) {
            throw new ModelFormatException(path, "__metadata__ is not an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put((String) k, (String) v));
        return Collections.unmodifiableMap(out);
    }

    private static long[] longs(Path path, String tensor, String field, Object value) {
        if (!(value instanceof List<?> list)) {
            throw bad(path, tensor, "has no " + field + " array");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw bad(path, tensor, "has " + field + " entry " + list.get(i) + ", not a non-negative integer");
            }
            out[i] = l;
        }
        return out;
    }

    private static ModelFormatException bad(Path path, String tensor, String what) {
        return new ModelFormatException(path, "tensor '" + tensor + "' " + what);
    }

    public Path path() {
        return path;
    }

    /** All tensors in header order, unmodifiable. */
    public Map<String, SafetensorsTensor> tensors() {
        return tensors;
    }

    public Optional<SafetensorsTensor> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The header's free-form {@code __metadata__} strings, unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Unmaps the file; tensor segments obtained from it become unusable (accessing them throws). */
    @Override
    public void close() {
        arena.close();
    }
}
