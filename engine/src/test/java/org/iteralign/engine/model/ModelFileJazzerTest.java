package org.iteralign.engine.model;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.iteralign.engine.ModelFormatException;

/**
 * Jazzer's coverage-guided fuzzing of the GGUF reader: the fuzzer picks where to damage a valid tiny model and with
 * what bytes, steering towards damage that reaches new code. Any outcome but a model that runs or a
 * {@link ModelFormatException} fails, as a JVM error or a hang does. A normal test run replays the inputs kept in
 * {@code ModelFileJazzerTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} and keeps what fails.
 * {@link ModelFileFuzzTest} covers safetensors and a fixed set of random damages on every run.
 */
class ModelFileJazzerTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static byte[] valid;
    private static int header;

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
        int length = data.remainingBytes() > 0 && data.consumeBoolean() ? data.consumeInt(0, bytes.length) : bytes.length;
        Path file = Files.createTempFile("jazzer-", ".gguf");
        try {
            Files.write(file, java.util.Arrays.copyOf(bytes, length));
            assertTimeoutPreemptively(LIMIT, () -> {
                try (LlamaModel m = LlamaModel.load(file)) {
                    int vocab = m.config().vocabularySize();
                    m.forward(List.of(m.newCache()), List.of(new int[] {0, 5 % vocab}), LlamaModel.Logits.ALL);
                } catch (ModelFormatException expected) {
                    // a clean refusal
                }
            }, () -> fail("no result within " + LIMIT).toString());
        } finally {
            Files.deleteIfExists(file);
        }
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
