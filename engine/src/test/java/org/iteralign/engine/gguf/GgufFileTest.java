package org.iteralign.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.TestModels;
import org.iteralign.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    private static GgufWriter sample() {
        return new GgufWriter()
                .put("general.architecture", "llama")
                .put("general.name", "tiny ünïcode")
                .put("llama.block_count", 2)
                .put("llama.rope.freq_base", 10000.0f)
                .put("some.uint64", 1L << 40)
                .put("flag", true)
                .put("tokenizer.ggml.tokens", List.of("a", "b", "<s>"))
                .put("tokenizer.ggml.token_type", new int[] {1, 1, 3})
                .put("tokenizer.ggml.scores", new float[] {0.5f, -1f, 0f})
                .tensor("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)
                .tensor("v", new float[] {7, 8}, 2);
    }

    @Test
    void readsMetadataAndTensors() throws IOException {
        try (GgufFile f = GgufFile.open(sample().write(dir.resolve("t.gguf")))) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals("tiny ünïcode", f.getString("general.name"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(10000f, f.getFloat("llama.rope.freq_base"));
            assertEquals(1L << 40, f.metadata().get("some.uint64"));
            assertTrue(f.getBoolean("flag"));
            assertEquals(List.of("a", "b", "<s>"), f.getStringArray("tokenizer.ggml.tokens"));
            assertArrayEquals(new int[] {1, 1, 3}, f.getIntArray("tokenizer.ggml.token_type"));
            assertArrayEquals(new float[] {0.5f, -1f, 0f}, f.getFloatArray("tokenizer.ggml.scores"));
            assertTrue(f.findString("absent").isEmpty());
            assertFalse(f.findInt("absent").isPresent());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.getInt("general.name"));
            assertTrue(e.getMessage().contains("general.name"), e.getMessage());

            GgufTensor w = f.tensor("w");
            assertArrayEquals(new long[] {3, 2}, w.dims());
            assertEquals(GgmlType.F32, w.type());
            assertEquals(6, w.elementCount());
            assertEquals(24, w.data().byteSize());
            assertEquals(6f, w.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 20));
            assertEquals(8f, f.tensor("v").data().getAtIndex(
                    ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 1));
            assertEquals(0, f.tensor("v").offset() % 32);
            assertThrows(ModelFormatException.class, () -> f.tensor("absent"));
        }
    }

    @Test
    void messageNamesFileAndReason() throws IOException {
        Path p = Files.write(dir.resolve("bad.gguf"), "GGML-nope-nope-nope-nope".getBytes());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().startsWith(p + ": not a GGUF file"), e.getMessage());
    }

    @Test
    void everyTruncationAndByteFlipFailsCleanlyOrParses() throws IOException {
        byte[] good = sample().toBytes();
        Path p = dir.resolve("c.gguf");
        int failures = 0;
        int parsed = 0;
        for (int len = 0; len < good.length; len++) {
            Files.write(p, java.util.Arrays.copyOf(good, len));
            if (openCleanly(p)) {
                parsed++;
            } else {
                failures++;
            }
        }
        Random rnd = new Random(42);
        for (int pos = 0; pos < good.length; pos++) {
            for (int trial = 0; trial < 3; trial++) {
                byte[] bad = good.clone();
                bad[pos] = switch (trial) {
                    case 0 -> (byte) (bad[pos] ^ (1 << rnd.nextInt(8)));
                    case 1 -> (byte) 0xFF;
                    default -> (byte) rnd.nextInt(256);
                };
                Files.write(p, bad);
                if (openCleanly(p)) {
                    parsed++;
                } else {
                    failures++;
                }
            }
        }
        assertTrue(failures > good.length, "most corruptions should be detected: " + failures);
        assertTrue(parsed > 0);
    }

    /** True if the file parsed, false if it failed with a ModelFormatException; anything else fails the test. */
    private static boolean openCleanly(Path p) {
        try (GgufFile f = GgufFile.open(p)) {
            for (GgufTensor t : f.tensors().values()) {
                t.data().get(ValueLayout.JAVA_BYTE, t.data().byteSize() - 1);
            }
            return true;
        } catch (ModelFormatException e) {
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
            return false;
        } catch (RuntimeException | Error e) {
            fail("corrupt file raised " + e, e);
            return false;
        }
    }

    @Test
    void readsTheRealTestModel() {
        Path model = TestModels.smolLm2();
        try (GgufFile f = GgufFile.open(model)) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(576, f.getInt("llama.embedding_length"));
            assertEquals(30, f.getInt("llama.block_count"));
            assertEquals(49152, f.getStringArray("tokenizer.ggml.tokens").size());
            assertEquals(49152, f.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(30 * 9 + 2, f.tensors().size());
            GgufTensor embd = f.tensor("token_embd.weight");
            assertArrayEquals(new long[] {576, 49152}, embd.dims());
            assertEquals(embd.type().byteSize(embd.elementCount()), embd.data().byteSize());
        }
    }

    @Test
    void corruptCopiesOfTheRealModelFailCleanly() throws IOException {
        Path model = TestModels.smolLm2();
        byte[] original = Files.readAllBytes(model);
        Path p = dir.resolve("real.gguf");
        // Truncations, including inside the vocabulary and inside the tensor data.
        for (long len : new long[] {0, 3, 8, 23, 1000, 100_000, 1_000_000, original.length / 2, original.length - 1}) {
            Files.write(p, java.util.Arrays.copyOf(original, (int) len));
            assertFalse(openCleanly(p), "truncated to " + len);
        }
        Random rnd = new Random(7);
        for (int i = 0; i < 12; i++) {
            byte[] bad = original.clone();
            int pos = i < 4 ? rnd.nextInt(64) : rnd.nextInt(2_000_000);
            bad[pos] = (byte) ~bad[pos];
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bad));
            }
            openCleanly(p);
        }
    }
}
