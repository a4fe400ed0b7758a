package org.iteralign.engine.tokenizer;

import org.iteralign.engine.json.Json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Token ids that llama.cpp (and Hugging Face) gave for a corpus, recorded by the scripts in src/test/python. */
final class LlamaCppVectors {
    record Case(String text, int[] ids, int[] idsSpecial) {}

    private LlamaCppVectors() {
    }

    static List<Case> read(String resource) throws IOException {
        return read(resource, "ids", "ids_special");
    }

    /** The cases with the ids under other keys, e.g. Hugging Face's "hf_ids" and "hf_ids_special". */
    @SuppressWarnings("unchecked")
    static List<Case> read(String resource, String plainKey, String specialKey) throws IOException {
        try (InputStream in = LlamaCppVectors.class.getResourceAsStream(resource)) {
            Map<String, Object> json = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<Case> cases = new ArrayList<>();
            for (Object o : (List<Object>) json.get("cases")) {
                Map<String, Object> c = (Map<String, Object>) o;
                cases.add(new Case((String) c.get("text"), ints(c.get(plainKey)), ints(c.get(specialKey))));
            }
            return cases;
        }
    }

    private static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(v -> ((Long) v).intValue()).toArray();
    }

    /** Both encode methods against llama.cpp's special=False and special=True ids for every case. */
    static void assertMatches(Tokenizer tokenizer, String resource) throws IOException {
        assertMatches(tokenizer, read(resource));
    }

    static void assertMatches(Tokenizer tokenizer, List<Case> cases) {
        assertFalse(cases.isEmpty());
        for (Case c : cases) {
            assertArrayEquals(c.ids(), tokenizer.encode(c.text()), () -> "plain: " + escape(c.text()));
            assertArrayEquals(c.idsSpecial(), tokenizer.encodeWithSpecials(c.text()), () -> "specials: " + escape(c.text()));
        }
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7F ? Character.toString(cp) : String.format("\\u{%X}", cp)));
        return out.append('"').toString();
    }

    static Path testModel() {
        String path = System.getProperty("iteralign.testModel", "");
        assumeTrue(!path.isBlank() && Files.isRegularFile(Path.of(path)),
                "set -Diteralign.testModel to the SmolLM2-135M-Instruct GGUF to run the llama.cpp parity tests");
        return Path.of(path);
    }

    /**
     * Runs a fixture script with the Python named by -Diteralign.python; skips the test when that Python
     * is not set or lacks a module the script imports.
     */
    static void runPython(String script, String... args) throws IOException, InterruptedException {
        String python = System.getProperty("iteralign.python", "");
        assumeTrue(!python.isBlank(), "set -Diteralign.python to the project's venv Python to run " + script);
        List<String> command = new ArrayList<>(List.of(python, Path.of("src/test/python", script).toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(script + " timed out");
        }
        assumeTrue(!output.contains("ModuleNotFoundError"),
                "the Python at iteralign.python lacks a module " + script + " needs (see its header): " + output);
        if (process.exitValue() != 0) {
            throw new AssertionError(script + " failed: " + output);
        }
    }
}
