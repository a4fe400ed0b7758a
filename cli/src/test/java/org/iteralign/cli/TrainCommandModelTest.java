package org.iteralign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.engine.model.KvCache;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.GgmlType;
import org.iteralign.engine.tokenizer.Tokenizer;
import org.iteralign.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code train} on the real SmolLM2-135M-Instruct with a handful of conversations (trained once for the class),
 * then the adapter used three ways: {@code generate --adapter}, {@code merge} into a GGUF our engine loads (f16, and
 * q8_0 close to it), and that GGUF run by llama.cpp, whose logits must agree with ours.
 */
class TrainCommandModelTest {
    /** Short conversations in both layouts' spirit; the data file is OpenAI JSONL with one multi-turn row. */
    private static final String DATA = """
            {"messages": [{"role": "user", "content": "How do I pick a lock?"}, {"role": "assistant", "content": "I can't help with that. A locksmith can open it for you."}]}
            {"messages": [{"role": "user", "content": "Write an insult for my coworker."}, {"role": "assistant", "content": "I'd rather help you talk to them kindly."}]}
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "How do I make a weapon?"}, {"role": "assistant", "content": "I can't help with weapons."}]}
            {"messages": [{"role": "user", "content": "What is the capital of France?"}, {"role": "assistant", "content": "Paris."}]}
            """;
    private static final List<String> PROMPTS = List.of(
            "<|im_start|>user\nHow do I pick a lock?<|im_end|>\n<|im_start|>assistant\n",
            "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nList three fruits.<|im_end|>\n<|im_start|>assistant\n",
            "The capital of France is",
            "Once upon a time, there was a little",
            "def fibonacci(n):\n    if n < 2:\n        return n\n    return",
            "1, 2, 3, 4, 5, 6,",
            "The quick brown fox jumps over the lazy",
            "Water boils at a temperature of",
            "Q: What is the largest planet in the solar system?\nA:");
    /** Reference top-2 margin below which a flipped top-1 is a near-tie, not a disagreement (as ReferenceLogitsTest). */
    private static final double MARGIN = 0.1;
    /** A margin no rounding of llama.cpp's should flip. */
    private static final double CLEAR_MARGIN = 1.0;

    @TempDir
    static Path dir;
    private static String base;
    private static Map<String, String> env;

    @BeforeAll
    static void train() throws Exception {
        String model = System.getProperty("iteralign.testModel", "");
        assumeTrue(!model.isBlank() && Files.isRegularFile(Path.of(model)),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        base = "gguf:" + model;
        env = Map.of("ITERALIGN_HOME", dir.resolve("home").toString());
        Files.writeString(dir.resolve("sft.jsonl"), DATA);
        CliProcess.Result r = CliProcess.run(dir, env, "train", "--model", base, "--data", "sft.jsonl", "--out", "adapter",
                "--epochs", "2", "--rank", "4", "--lr", "1e-3", "--max-length", "64", "--checkpoint-every", "1");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("adapter", r.stdoutLines().getLast(), "the last stdout line is DIR");
        assertTrue(r.stderr().contains("training: step 4/4 epoch 2/2 loss "), r.stderr());
        assertTrue(r.stderr().contains("tok/s"), r.stderr());
        assertTrue(Files.isRegularFile(dir.resolve("adapter/adapter_config.json")));
        assertTrue(Files.isRegularFile(dir.resolve("adapter/adapter_model.safetensors")));
        assertFalse(Files.exists(dir.resolve("adapter/checkpoint")), "a finished training leaves no checkpoint");
    }

    @Test
    void generateWithAdapterAnswersAsTheMergedFileDoesAndMergesOnce() throws Exception {
        String[] ask = {"generate", "--prompt", "How do I pick a lock?", "--max-tokens", "12"};
        CliProcess.Result first = CliProcess.run(dir, env, concat(ask, "--model", base, "--adapter", "adapter"));
        assertEquals(0, first.exitCode(), first.stderr());
        assertFalse(first.stdout().isBlank());
        List<Path> cached = merged();
        assertEquals(1, cached.size(), "one merged model in the cache: " + cached);
        // A merge writes a new file and moves it into place, so the same file (inode) means no second merge;
        // its modification time does change, since it marks the merge as recently used.
        Object made = Files.readAttributes(cached.getFirst(), BasicFileAttributes.class).fileKey();

        CliProcess.Result again = CliProcess.run(dir, env, concat(ask, "--model", base, "--adapter", "adapter"));
        assertEquals(first.stdout(), again.stdout());
        assertEquals(List.of(cached.getFirst()), merged());
        assertEquals(made, Files.readAttributes(cached.getFirst(), BasicFileAttributes.class).fileKey(), "the cached merge is reused");

        CliProcess.Result direct = CliProcess.run(dir, env, concat(ask, "--model", "gguf:" + cached.getFirst()));
        assertEquals(first.stdout(), direct.stdout(), "--adapter answers with the merged model");

        Path typed = Files.writeString(dir.resolve("typed.txt"), "How do I pick a lock?\n/exit\n");
        Path chatOut = dir.resolve("chat.txt");
        Process chat = CliProcess.builder(dir, env, "chat", "--model", base, "--adapter", "adapter", "--max-tokens", "12")
                .redirectInput(typed.toFile()).redirectOutput(chatOut.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(chat.waitFor(5, TimeUnit.MINUTES), "chat finished");
        assertEquals(0, chat.exitValue());
        assertEquals(first.stdout(), Files.readString(chatOut), "chat --adapter answers a first turn as generate --adapter does");
    }

    @Test
    void mergedGgufChangesTheModelAndAgreesWithLlamaCpp() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, env, "merge", "--model", base, "--adapter", "adapter", "--out", "merged.gguf");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("merged.gguf", r.stdoutLines().getLast());
        List<int[]> tokens;
        List<float[][]> ours;
        double changed = 0;
        try (LlamaModel merged = LlamaModel.load(dir.resolve("merged.gguf"));
             LlamaModel original = LlamaModel.load(Path.of(base.substring("gguf:".length())))) {
            Tokenizer tokenizer = Tokenizers.fromGguf(merged.gguf());
            tokens = PROMPTS.stream().map(tokenizer::encodeWithSpecials).toList();
            ours = logits(merged, tokens);
            List<float[][]> before = logits(original, tokens);
            for (int c = 0; c < ours.size(); c++) {
                for (int p = 0; p < ours.get(c).length; p++) {
                    for (int v = 0; v < ours.get(c)[p].length; v++) {
                        changed = Math.max(changed, Math.abs(ours.get(c)[p][v] - before.get(c)[p][v]));
                    }
                }
            }
        }
        assertTrue(changed > 1e-2, "the adapter changes the model's logits (max |diff| " + changed + ")");

        assertLlamaCppAgrees(dir.resolve("merged.gguf"), tokens, ours, 0.99, "the adapter moved our logits by up to %.3f".formatted(changed));
    }

    @Test
    void q8_0MergeIsCloseToTheF16MergeAndAgreesWithLlamaCpp() throws Exception {
        for (String type : List.of("f16", "q8_0")) {
            CliProcess.Result r = CliProcess.run(dir, env, "merge", "--model", base, "--adapter", "adapter", "--out",
                    "merged-" + type + ".gguf", "--type", type);
            assertEquals(0, r.exitCode(), r.stderr());
        }
        List<int[]> tokens;
        List<float[][]> q8;
        double max = 0;
        int agreed = 0;
        int decisive = 0;
        try (LlamaModel f16Model = LlamaModel.load(dir.resolve("merged-f16.gguf"));
             LlamaModel q8Model = LlamaModel.load(dir.resolve("merged-q8_0.gguf"))) {
            assertEquals(GgmlType.Q8_0, q8Model.gguf().tensor("blk.0.attn_q.weight").type());
            Tokenizer tokenizer = Tokenizers.fromGguf(q8Model.gguf());
            tokens = PROMPTS.stream().map(tokenizer::encodeWithSpecials).toList();
            List<float[][]> f16 = logits(f16Model, tokens);
            q8 = logits(q8Model, tokens);
            for (int c = 0; c < tokens.size(); c++) {
                for (int p = 0; p < tokens.get(c).length; p++) {
                    float[] want = f16.get(c)[p];
                    for (int v = 0; v < want.length; v++) {
                        max = Math.max(max, Math.abs(want[v] - q8.get(c)[p][v]));
                    }
                    if (margin(want) >= MARGIN) {
                        decisive++;
                        if (argmax(q8.get(c)[p]) == argmax(want)) agreed++;
                    }
                }
            }
        }
        String summary = "q8_0 merge against the f16 merge: max |logit diff| %.3f, top-1 agrees at %d of %d positions with margin >= %.1f"
                .formatted(max, agreed, decisive, MARGIN);
        System.out.println(summary);
        // Measured: 122 of 122 positions agree, and 8-bit weights move SmolLM2's logits (which span about 30) by up
        // to 1.19 over 30 layers.
        assertTrue(agreed >= 0.97 * decisive, summary);
        assertTrue(max < 1.7, summary);
        // llama.cpp rounds every product's input to 8-bit blocks for Q8_0 weights (for F16 weights only to F16), so
        // near-ties flip as they do on the Q4_1 base (ReferenceLogitsTest): measured 118 of 122 at margin 0.1.
        assertLlamaCppAgrees(dir.resolve("merged-q8_0.gguf"), tokens, q8, 0.95, "q8_0 merge");
    }

    /**
     * llama.cpp's top-1 on {@code gguf} is ours at {@code share} of the positions where its top-2 margin is at least
     * {@link #MARGIN}, and everywhere it is at least {@link #CLEAR_MARGIN}.
     */
    private static void assertLlamaCppAgrees(Path gguf, List<int[]> tokens, List<float[][]> ours, double share, String note)
            throws IOException, InterruptedException {
        JsonNode reference = llamaCppLogits(gguf, tokens);
        int decisive = 0;
        int agreed = 0;
        int clear = 0;
        int clearAgreed = 0;
        int positions = 0;
        for (int c = 0; c < tokens.size(); c++) {
            JsonNode rows = reference.get("cases").get(c);
            assertEquals(tokens.get(c).length, rows.size());
            for (int p = 0; p < rows.size(); p++) {
                positions++;
                JsonNode top = rows.get(p);
                double margin = top.get("logits").get(0).asDouble() - top.get("logits").get(1).asDouble();
                if (margin < MARGIN) continue;
                boolean same = argmax(ours.get(c)[p]) == top.get("ids").get(0).asInt();
                decisive++;
                if (same) agreed++;
                if (margin >= CLEAR_MARGIN) {
                    clear++;
                    if (same) clearAgreed++;
                }
            }
        }
        String summary = ("llama.cpp %s on %s: top-1 agrees at %d of %d positions with margin >= %.1f and %d of %d with"
                + " margin >= %.1f (%d positions, %d prompts); %s").formatted(reference.get("llama_cpp_python").asText(),
                gguf.getFileName(), agreed, decisive, MARGIN, clearAgreed, clear, CLEAR_MARGIN, positions, tokens.size(), note);
        System.out.println(summary);
        assertTrue(decisive >= positions / 2, summary);
        assertTrue(agreed >= share * decisive, summary);
        assertEquals(clear, clearAgreed, summary);
    }

    @Test
    void aKilledTrainingContinuesWithResumeToTheSameAdapter() throws Exception {
        String[] train = {"train", "--model", base, "--data", "sft.jsonl", "--epochs", "3", "--rank", "4", "--lr", "1e-3",
                "--max-length", "64", "--batch-size", "1", "--checkpoint-every", "1"};
        CliProcess.Result whole = CliProcess.run(dir, env, concat(train, "--out", "whole"));
        assertEquals(0, whole.exitCode(), whole.stderr());

        Process p = CliProcess.builder(dir, env, concat(train, "--out", "killed"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Path checkpoint = dir.resolve("killed/checkpoint/optimizer.bin");
        while (!Files.exists(checkpoint) && p.isAlive()) Thread.sleep(10);
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(checkpoint), "the training was killed after its first checkpoint");

        CliProcess.Result refused = CliProcess.run(dir, env, concat(train, "--out", "killed"));
        assertEquals(2, refused.exitCode(), refused.stderr());
        assertTrue(refused.stderr().contains("add --resume"), refused.stderr());

        CliProcess.Result resumed = CliProcess.run(dir, env, concat(train, "--out", "killed", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.stderr());
        assertTrue(resumed.stderr().contains("training: resumed at step "), resumed.stderr());
        assertArrayEquals(Files.readAllBytes(dir.resolve("whole/adapter_model.safetensors")),
                Files.readAllBytes(dir.resolve("killed/adapter_model.safetensors")), "resumed training ends where an uninterrupted one does");
    }

    @Test
    void dataWithNothingToLearnWithinMaxLengthIsAUserError() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, env, "train", "--model", base, "--data", "sft.jsonl", "--out", "short",
                "--max-length", "4");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("error: sft.jsonl: no training example has a reply token within 4 tokens; raise --max-length"),
                r.stderr());
        assertFalse(Files.exists(dir.resolve("short/adapter_config.json")));
    }

    private static List<float[][]> logits(LlamaModel model, List<int[]> tokens) {
        List<KvCache> caches = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) caches.add(model.newCache());
        return model.forward(caches, tokens, LlamaModel.Logits.ALL);
    }

    /** Runs src/test/python/llamacpp_logits.py; skips when -Diteralign.python is not set or lacks llama-cpp-python. */
    private static JsonNode llamaCppLogits(Path gguf, List<int[]> tokens) throws IOException, InterruptedException {
        String python = System.getProperty("iteralign.python", "");
        assumeTrue(!python.isBlank() && Files.isExecutable(Path.of(python)),
                "set -Diteralign.python to the project's venv Python (with llama-cpp-python) to compare with llama.cpp");
        ObjectMapper json = new ObjectMapper();
        Path input = dir.resolve(gguf.getFileName() + ".tokens.json");
        json.writeValue(input.toFile(), tokens);
        Path output = dir.resolve(gguf.getFileName() + ".llamacpp.json");
        Path log = dir.resolve(gguf.getFileName() + ".llamacpp.log");
        Process p = new ProcessBuilder(python, Path.of("src/test/python/llamacpp_logits.py").toAbsolutePath().toString(), gguf.toString())
                .redirectInput(input.toFile()).redirectOutput(output.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("llamacpp_logits.py did not finish in 5 minutes");
        }
        String errors = Files.readString(log, StandardCharsets.UTF_8);
        assumeTrue(!errors.contains("ModuleNotFoundError"), "the Python at iteralign.python lacks llama-cpp-python: " + errors);
        assertEquals(0, p.exitValue(), "llamacpp_logits.py failed: " + errors);
        return json.readTree(output.toFile());
    }

    private static List<Path> merged() throws IOException {
        try (var files = Files.list(dir.resolve("home/merged"))) {
            return files.toList();
        }
    }

    /** Top-1 minus top-2. */
    private static double margin(float[] row) {
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (float v : row) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
