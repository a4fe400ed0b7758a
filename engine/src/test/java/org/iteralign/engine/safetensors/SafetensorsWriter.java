package org.iteralign.engine.safetensors;

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
import java.util.StringJoiner;

/** Writes small safetensors files for tests: synthetic checkpoints and corrupt-file fixtures. */
public final class SafetensorsWriter {
    private record Tensor(String name, String dtype, long[] shape, byte[] data) {}

    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter tensor(String name, String dtype, long[] shape, byte[] data) {
        tensors.add(new Tensor(name, dtype, shape, data));
        return this;
    }

    /** Values in F32, F16 or BF16 (BF16 rounds to nearest even, as torch does). */
    public SafetensorsWriter tensor(String name, SafetensorsDtype dtype, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(Float.floatToFloat16(v));
                case BF16 -> b.putShort((short) (bf16Bits(v) >>> 16));
                default -> throw new IllegalArgumentException("cannot write " + dtype);
            }
        }
        return tensor(name, dtype.name(), shape, b.array());
    }

    /** The float nearest to {@code v} that bfloat16 can hold. */
    public static float roundToBf16(float v) {
        return Float.intBitsToFloat(bf16Bits(v));
    }

    private static int bf16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
    }

    /** The header JSON, data offsets in the order the tensors were added. */
    public String header() {
        StringJoiner entries = new StringJoiner(",", "{", "}");
        if (!metadata.isEmpty()) {
            StringJoiner m = new StringJoiner(",", "{", "}");
            metadata.forEach((k, v) -> m.add(quote(k) + ":" + quote(v)));
            entries.add("\"__metadata__\":" + m);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            StringJoiner shape = new StringJoiner(",", "[", "]");
            for (long d : t.shape()) {
                shape.add(Long.toString(d));
            }
            entries.add(quote(t.name()) + ":{\"dtype\":" + quote(t.dtype()) + ",\"shape\":" + shape
                    + ",\"data_offsets\":[" + offset + "," + (offset + t.data().length) + "]}");
            offset += t.data().length;
        }
        return entries.toString();
    }

    public byte[] toBytes() {
        return toBytes(header());
    }

    /** This writer's data behind any header text, padded with spaces to 8 bytes as the format does. */
    public byte[] toBytes(String header) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        int data = tensors.stream().mapToInt(t -> t.data().length).sum();
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        tensors.forEach(t -> out.put(t.data()));
        return out.array();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
