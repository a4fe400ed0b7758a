package org.iteralign.engine.train;

import org.iteralign.engine.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and [begin, end) byte range of the data that follows, then the raw
 * little-endian data. Writes F32; reads F32, F16 and BF16 into floats.
 */
final class Safetensors {
    /** A row-major tensor. */
    record Tensor(long[] shape, float[] data) {
        Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape of " + n + " values for " + data.length + " values");
            }
        }
    }

    private Safetensors() {}

    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<String, Object>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = (long) e.getValue().data().length * Float.BYTES;
            List<Object> shape = new ArrayList<>();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        // The format pads the header with spaces so the data starts 8-byte aligned.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : tensors.values()) {
            out.asFloatBuffer().put(t.data());
            out.position(out.position() + t.data().length * Float.BYTES);
        }
        try {
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, Tensor> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8) {
            throw bad(file, "shorter than its header length");
        }
        long headerLength = in.getLong();
        if (headerLength < 2 || headerLength > bytes.length - 8) {
            throw bad(file, "header length " + headerLength + " does not fit in " + bytes.length + " bytes");
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw bad(file, "header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info && info.get("dtype") instanceof String dtype
                    && info.get("shape") instanceof List<?> shapeList && info.get("data_offsets") instanceof List<?> offsets
                    && offsets.size() == 2)) {
                throw bad(file, "tensor '" + name + "' lacks dtype, shape or data_offsets");
            }
            long[] shape = shapeList.stream().mapToLong(d -> ((Number) d).longValue()).toArray();
            long begin = ((Number) offsets.get(0)).longValue();
            long end = ((Number) offsets.get(1)).longValue();
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw bad(file, "tensor '" + name + "' has dtype " + dtype + " (supported: F32, F16, BF16)");
            };
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (begin < 0 || end < begin || end > bytes.length - dataStart || end - begin != count * width) {
                throw bad(file, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] that do not match its shape");
            }
            float[] data = new float[(int) count];
            int at = dataStart + (int) begin;
            for (int k = 0; k < data.length; k++) {
                data[k] = switch (dtype) {
                    case "F32" -> in.getFloat(at + 4 * k);
                    case "F16" -> Float.float16ToFloat(in.getShort(at + 2 * k));
                    default -> Float.intBitsToFloat((in.getShort(at + 2 * k) & 0xFFFF) << 16);
                };
            }
            tensors.put(name, new Tensor(shape, data));
        }
        return tensors;
    }

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": not a valid safetensors file: " + what);
    }
}
