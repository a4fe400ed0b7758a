package org.iteralign.engine.model;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.iteralign.engine.ModelFormatException;
import org.iteralign.engine.safetensors.HfModelFolder;
import org.iteralign.engine.safetensors.SafetensorsDtype;

/**
 * Jazzer's coverage-guided fuzzing of the GGUF and safetensors readers: the fuzzer picks where to damage a valid tiny
 * model and with what bytes, steering towards damage that reaches new code. Any outcome but a model that runs or a
 * {@link ModelFormatException} fails, as a JVM error or a hang does. A normal test run replays the inputs kept in
 * {@code ModelFileJazzerTestInputs/}, one folder per target; {@code JAZZER_FUZZ=1} fuzzes one target (pick it with
 * {@code -Dtest=ModelFileJazzerTest#NAME}) for {@code maxDuration} and keeps what fails. {@link ModelFileFuzzTest}
 * runs a fixed set of random damages on every run.
 */
class ModelFileJazzerTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static byte[] valid;
    private static int header;
    /** A Hugging Face folder whose model.safetensors each input replaces, that file's valid bytes, and their header's end. */
    private static Path hfFolder;
    private static byte[] validSafetensors;
    private static int headerEnd;

    @FuzzTest(maxDuration = "5m")
    void damagedGgufFailsCleanlyOrRuns(FuzzedDataProvider data) throws IOException {
        byte[] bytes = validModel().clone();
        // Up to eight edits, each a run of bytes written at a position, mostly in the header where the structure is.
        for (int edits = data.consumeInt(0, 8); edits > 0 && data.remainingBytes() > 0; edits--) {
            boolean inHeader = data.consumeBoolean();
            int at = data.consumeInt(0, (inHeader ? header : bytes.length) - 1);
            byte[] run = data.consumeBytes(Math.min(8, bytes.length - at));
            System.arraycopy(run, 0, bytes, at, run.length);
        }
        Path file = Files.createTempFile("jazzer-", ".gguf");
        try {
            Files.write(file, truncated(data, bytes));
            loadsAndRunsOrRefuses(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void damagedSafetensorsFailsCleanlyOrRuns(FuzzedDataProvider data) throws IOException {
        byte[] bytes = validSafetensors().clone();
        // Mostly the length prefix and the JSON header (names, dtypes, shapes, offsets), sometimes the tensor data.
        for (int edits = data.consumeInt(0, 8); edits > 0 && data.remainingBytes() > 0; edits--) {
            boolean inHeader = data.consumeInt(0, 3) > 0;
            int at = data.consumeInt(0, (inHeader ? headerEnd : bytes.length) - 1);
            byte[] run = data.consumeBytes(Math.min(8, bytes.length - at));
            System.arraycopy(run, 0, bytes, at, run.length);
        }
        Files.write(hfFolder.resolve(HfModelFolder.SINGLE_FILE), truncated(data, bytes));
        loadsAndRunsOrRefuses(hfFolder);
    }

    /** The bytes, or a prefix of them when the input asks for one. */
    private static byte[] truncated(FuzzedDataProvider data, byte[] bytes) {
        int length = data.remainingBytes() > 0 && data.consumeBoolean() ? data.consumeInt(0, bytes.length) : bytes.length;
        return Arrays.copyOf(bytes, length);
    }

    private static void loadsAndRunsOrRefuses(Path model) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (LlamaModel m = LlamaModel.load(model)) {
                int vocab = m.config().vocabularySize();
                m.forward(List.of(m.newCache()), List.of(new int[] {0, 5 % vocab}), LlamaModel.Logits.ALL);
            } catch (ModelFormatException expected) {
                // a clean refusal
            }
        }, () -> fail("no result within " + LIMIT).toString());
    }

    @AfterAll
    static void removeHfFolder() throws IOException {
        if (hfFolder != null) {
            try (var files = Files.walk(hfFolder.getParent())) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static synchronized byte[] validSafetensors() throws IOException {
        if (validSafetensors == null) {
            Path dir = Files.createTempDirectory("jazzer-hf-");
            hfFolder = HfCheckpointTest.writeHf(TinyModelTest.randomSpec("llama", true, false, 32), "LlamaForCausalLM",
                    SafetensorsDtype.BF16, false, "", dir);
            validSafetensors = Files.readAllBytes(hfFolder.resolve(HfModelFolder.SINGLE_FILE));
            headerEnd = (int) (8 + ByteBuffer.wrap(validSafetensors).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        }
        return validSafetensors;
    }

    private static synchronized byte[] validModel() {
        if (valid == null) {
            try {
                Path dir = Files.createTempDirectory("jazzer-model-");
                Path file = TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 31), dir.resolve("valid.gguf"));
                valid = Files.readAllBytes(file);
                try (var f = org.iteralign.engine.gguf.GgufFile.open(file)) {
                    long data = f.tensors().values().stream().mapToLong(t -> t.offset() + t.data().byteSize()).max().orElse(0);
                    header = (int) (valid.length - (data + f.alignment() - 1) / f.alignment() * f.alignment());
                }
                Files.delete(file);
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return valid;
    }
}
