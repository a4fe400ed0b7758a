package org.iteralign.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    static SafetensorsWriter sample() {
        return new SafetensorsWriter()
                .metadata("format", "pt")
                .tensor("a", SafetensorsDtype.F32, new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3)
                .tensor("b", SafetensorsDtype.BF16, new float[] {1.5f, -0.25f}, 2)
                .tensor("c", SafetensorsDtype.F16, new float[] {0.5f, 2, -3, 65504}, 4)
                .tensor("ids", "I64", new long[] {1}, new byte[8]);
    }

    @Test
    void readsTensorsAndMetadata() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(sample().write(dir.resolve("m.safetensors")))) {
            assertEquals("pt", f.metadata().get("format"));
            assertEquals("[a, b, c, ids]", f.tensors().keySet().toString());
            SafetensorsTensor a = f.findTensor("a").orElseThrow();
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertEquals(6, a.elementCount());
            assertEquals(3.5f, a.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
            assertArrayEquals(new float[] {1.5f, -0.25f}, decode(f.findTensor("b").orElseThrow()));
            assertArrayEquals(new float[] {0.5f, 2, -3, 65504}, decode(f.findTensor("c").orElseThrow()));
            assertTrue(f.findTensor("ids").orElseThrow().dtype().ggmlType().isEmpty());
        }
    }

    private static float[] decode(SafetensorsTensor t) {
        float[] out = new float[(int) t.elementCount()];
        FloatTensor.of(t.dtype().ggmlType().orElseThrow(), t.data(), out.length).dequantize(0, out, 0, out.length);
        return out;
    }

    @Test
    void everyTruncationIsAFormatError() throws IOException {
        byte[] bytes = sample().toBytes();
        for (int n = 0; n < bytes.length; n++) {
            Path p = Files.write(dir.resolve("t" + n), Arrays.copyOf(bytes, n));
            assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p).close(), "truncated to " + n);
        }
    }

    @Test
    void corruptHeadersAreFormatErrorsThatSayWhy() throws IOException {
        SafetensorsWriter w = sample();
        String ok = w.header();
        assertRejected(w.toBytes(ok.replace("[0,24]", "[0,28]")), "needs 24");
        assertRejected(w.toBytes(ok.replace("[24,28]", "[20,24]")), "overlaps");
        assertRejected(w.toBytes(ok.replace("\"BF16\"", "\"Q4\"")), "unknown dtype");
        assertRejected(w.toBytes(ok.replace("[2,3]", "[2,-3]")), "non-negative");
        assertRejected(w.toBytes(ok.replace("[2,3]", "[4611686018427387904,4]")), "impossibly large");
        assertRejected(w.toBytes(ok.replace("[36,44]", "[36,4400]")), "outside");
        assertRejected(w.toBytes(ok.substring(1)), "not valid JSON");
        assertRejected(w.toBytes("[" + ok + "]"), "not a JSON object");
        assertRejected(w.toBytes("[".repeat(5000) + "]".repeat(5000)), "nested");
        assertRejected(w.toBytes(ok.replace("\"pt\"", "1")), "__metadata__");
        byte[] bytes = w.toBytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5);
        assertRejected(bytes, "header length");
        bytes[0] = (byte) 0xFF;
        bytes[7] = 0x7F;
        assertRejected(bytes, "header length");
    }

    private void assertRejected(byte[] bytes, String reason) throws IOException {
        Path p = Files.write(dir.resolve("bad.safetensors"), bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.reason().contains(reason), e.reason());
    }
}
