package org.iteralign.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.iteralign.engine.gguf.GgufFile;
import org.iteralign.engine.gguf.GgufTensor;
import org.iteralign.engine.json.Json;
import org.iteralign.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny random models per architecture (Llama 3 with RoPE factors, a tied SmolLM2-like llama, Mistral, Qwen2 with
 * Q/K/V biases) and per quantisation type, quantised by llama.cpp's own quantiser: our logits against the ones
 * llama.cpp computed on the same files, recorded with {@code src/test/python/tiny_quant_models.py}. The files of
 * the types we can encode are rebuilt here and must be byte-identical to llama.cpp's (their recorded SHA-256);
 * the K-quant files are made by llama.cpp's quantiser through the same script (so the test needs
 * {@code -Diteralign.python} for them and says when it skips them) and must match their recorded SHA-256 too.
 */
class TinyQuantModelsTest {
    private static final String RESOURCES = "/org/iteralign/engine/model/tiny-quant/";
    private static final String LOGITS = "tiny-quant-logits.json";
    private static final Path SCRIPT = Path.of("src/test/python/tiny_quant_models.py");
    /** llama.cpp's top-2 margin below which a flipped top-1 is a near-tie, not a disagreement (as ReferenceLogitsTest). */
    private static final double MARGIN = 0.1;
    /**
     * Largest and mean |our logit - llama.cpp's| allowed per weight type, over every position of the recorded
     * sequences and the sampled vocabulary; the logits have an RMS of about 1.2 and reach 5. We multiply in float32
     * with the weights decoded exactly, while llama.cpp first rounds the activations to the weights' dot-product
     * partner (F16 for F16 weights, BF16 for BF16, Q8_0 blocks for Q4_0 and Q8_0, Q8_1 for Q4_1, Q8_K super-blocks
     * for Q4_K and Q6_K) and keeps K and V in F16; F32 differs by that cache and summation order. Measured with
     * llama-cpp-python 0.3.36, largest over the four architectures, max (mean): F32 0.0062 (0.0006), F16 0.0048
     * (0.0010), BF16 0.040 (0.006), Q8_0 0.098 (0.019), Q4_0 0.107 (0.019), Q4_1 0.115 (0.020), Q4_K 0.162 (0.026),
     * Q6_K 0.152 (0.027). The bounds add about 40%. For scale: quantising to Q4_K itself moves llama.cpp's logits
     * by up to 1.4 (mean 0.23), so a decoding mistake in any block format shows.
     */
    private static final Map<GgmlType, Bound> BOUNDS = Map.of(
            GgmlType.F32, new Bound(0.01, 0.001),
            GgmlType.F16, new Bound(0.01, 0.0015),
            GgmlType.BF16, new Bound(0.06, 0.009),
            GgmlType.Q8_0, new Bound(0.14, 0.027),
            GgmlType.Q4_0, new Bound(0.15, 0.027),
            GgmlType.Q4_1, new Bound(0.16, 0.028),
            GgmlType.Q4_K, new Bound(0.23, 0.037),
            GgmlType.Q6_K, new Bound(0.22, 0.038));

    private record Bound(double max, double mean) {}

    @TempDir
    Path dir;

    @Test
    void ourLogitsMatchTheRecordedLlamaCppLogits() throws Exception {
        Path recorded = Path.of(TinyQuantModelsTest.class.getResource(RESOURCES + LOGITS).toURI()).getParent();
        checkAgainst(recorded);
    }

    /** Re-runs the script into a temporary folder: its files are the committed ones, and we match its fresh numbers. */
    @Test
    void freshLlamaCppRunAgreesWithTheCommittedVectorsAndOurEngine() throws Exception {
        String python = System.getProperty("iteralign.python", "");
        assumeTrue(!python.isBlank() && Files.isExecutable(Path.of(python)),
                "set -Diteralign.python to the project's venv Python (with llama-cpp-python) to run llama.cpp live");
        Path fresh = Files.createDirectory(dir.resolve("fresh"));
        Path log = dir.resolve("script.log");
        Process p = new ProcessBuilder(python, SCRIPT.toAbsolutePath().toString(),
                fresh.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("tiny_quant_models.py did not finish in 10 minutes");
        }
        String output = Files.readString(log);
        assumeTrue(!output.contains("ModuleNotFoundError"), "the Python at iteralign.python lacks llama-cpp-python or gguf");
        assertEquals(0, p.exitValue(), "tiny_quant_models.py failed: " + output.substring(Math.max(0, output.length() - 3000)));

        Path committed = Path.of(TinyQuantModelsTest.class.getResource(RESOURCES + LOGITS).toURI()).getParent();
        Map<String, Object> before = read(committed);
        Map<String, Object> after = read(fresh);
        for (int v = 0; v < list(before, "variants").size(); v++) {
            Map<String, Object> was = map(list(before, "variants").get(v));
            Map<String, Object> now = map(list(after, "variants").get(v));
            for (String type : map(was.get("types")).keySet()) {
                assertEquals(map(map(map(was.get("types")).get(type))).get("tensors"),
                        map(map(map(now.get("types")).get(type))).get("tensors"),
                        was.get("name") + " " + type + ": llama.cpp's quantiser no longer makes the committed bytes; re-record");
            }
        }
        checkAgainst(fresh);
    }

    /**
     * The file a live run of the script left beside its vectors, or else the same file made by the script's
     * {@code kept} mode (llama.cpp's quantiser on the generated F32 model) into a folder of this test, once;
     * null when no Python is configured to run it.
     */
    private Path llamaCppQuantized(Path kept) throws IOException {
        if (Files.isRegularFile(kept)) {
            return kept;
        }
        String python = System.getProperty("iteralign.python", "");
        if (python.isBlank() || !Files.isExecutable(Path.of(python))) {
            return null;
        }
        Path made = dir.resolve("kept");
        if (!Files.isDirectory(made)) {
            Path log = dir.resolve("kept.log");
            Process p = new ProcessBuilder(python, SCRIPT.toAbsolutePath().toString(), "kept", made.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("tiny_quant_models.py kept did not finish in 5 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            assertEquals(0, p.exitValue(), "tiny_quant_models.py kept failed: " + Files.readString(log));
        }
        return made.resolve(kept.getFileName());
    }

    private void checkAgainst(Path vectors) throws IOException {
        Map<String, Object> json = read(vectors);
        assertEquals(TinyQuantModel.DIM, ((Number) json.get("dim")).intValue());
        assertEquals(TinyQuantModel.VOCAB, ((Number) json.get("vocab")).intValue());
        List<int[]> sequences = list(json, "sequences").stream().map(TinyQuantModelsTest::ints).toList();
        int[] sample = ints(json.get("sample_ids"));
        List<String> table = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Object o : list(json, "variants")) {
            Map<String, Object> variant = map(o);
            TinyQuantModel model = TinyQuantModel.of(variant);
            for (var entry : map(variant.get("types")).entrySet()) {
                GgmlType type = GgmlType.valueOf(entry.getKey());
                Map<String, Object> recorded = map(entry.getValue());
                String label = model.name() + " " + type;
                Path file = recorded.get("file") instanceof String name
                        ? llamaCppQuantized(vectors.resolve(name))
                        : model.write(dir.resolve(model.name() + "." + type + ".gguf"), type);
                if (file == null) {
                    skipped.add(label);
                    continue;
                }
                Map<String, Object> hashes = tensorHashes(file);
                if (!hashes.equals(recorded.get("tensors"))) {
                    failures.add(label + ": tensor bytes differ from llama.cpp's " + differing(hashes, map(recorded.get("tensors"))));
                    continue;
                }
                Agreement a = compare(file, sequences, sample, list(recorded, "sequences"));
                table.add("%-8s %-5s max|diff| %.5f  mean|diff| %.5f  top-1 %d/%d".formatted(
                        model.name(), type, a.maxAbs(), a.meanAbs(), a.agreed(), a.decisive()));
                Bound bound = BOUNDS.get(type);
                if (a.maxAbs() > bound.max() || a.meanAbs() > bound.mean()) {
                    failures.add(label + ": |diff| max " + a.maxAbs() + ", mean " + a.meanAbs() + " beyond " + bound);
                }
                if (a.agreed() != a.decisive()) {
                    failures.add(label + ": top-1 differs at " + (a.decisive() - a.agreed()) + " positions with margin >= " + MARGIN);
                }
            }
        }
        System.out.println("tiny quantised models against llama.cpp " + json.get("llama_cpp_python") + ":\n" + String.join("\n", table));
        if (!skipped.isEmpty()) {
            System.out.println("skipped, no -Diteralign.python to run llama.cpp's quantiser: " + String.join(", ", skipped));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures) + "\n" + String.join("\n", table));
    }

    private record Agreement(double maxAbs, double meanAbs, int agreed, int decisive) {}

    private static Agreement compare(Path file, List<int[]> sequences, int[] sample, List<Object> expected) {
        double max = 0;
        double sum = 0;
        long n = 0;
        int agreed = 0;
        int decisive = 0;
        try (LlamaModel model = LlamaModel.load(file)) {
            for (int s = 0; s < sequences.size(); s++) {
                float[][] ours = model.forward(List.of(model.newCache()), List.of(sequences.get(s)), LlamaModel.Logits.ALL).get(0);
                Map<String, Object> theirs = map(expected.get(s));
                for (int p = 0; p < ours.length; p++) {
                    double[] row = doubles(list(theirs, "sample").get(p));
                    for (int i = 0; i < sample.length; i++) {
                        double d = Math.abs(ours[p][sample[i]] - row[i]);
                        max = Math.max(max, d);
                        sum += d;
                        n++;
                    }
                    double[] top = doubles(list(theirs, "top_logits").get(p));
                    if (top[0] - top[1] >= MARGIN) {
                        decisive++;
                        if (argmax(ours[p]) == ints(list(theirs, "top_ids").get(p))[0]) {
                            agreed++;
                        }
                    }
                }
            }
        }
        return new Agreement(max, sum / n, agreed, decisive);
    }

    private static Map<String, Object> tensorHashes(Path file) {
        Map<String, Object> out = new TreeMap<>();
        try (GgufFile gguf = GgufFile.open(file)) {
            for (GgufTensor t : gguf.tensors().values()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(t.data().asByteBuffer());
                out.put(t.name(), HexFormat.of().formatHex(sha.digest()));
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static List<String> differing(Map<String, Object> ours, Map<String, Object> theirs) {
        List<String> names = new ArrayList<>();
        for (String name : theirs.keySet()) {
            if (!theirs.get(name).equals(ours.get(name))) {
                names.add(name);
            }
        }
        return names;
    }

    private static Map<String, Object> read(Path folder) throws IOException {
        return map(Json.parse(Files.readString(folder.resolve(LOGITS))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> m, String key) {
        return (List<Object>) m.get(key);
    }

    private static int[] ints(Object o) {
        return ((List<?>) o).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }

    private static double[] doubles(Object o) {
        return ((List<?>) o).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }
}
