package org.iteralign.engine.tokenizer;

import org.iteralign.engine.json.Json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Java's regex engine against Hugging Face's (Oniguruma) on the same regexes and corpus, as recorded by
 * src/test/python/pretokenizer_vectors.py into pretokenizer-vectors.json.
 */
class PreTokenizerTest {
    @Test
    @SuppressWarnings("unchecked")
    void splitsLikeHuggingFace() throws IOException {
        Map<String, PreTokenizer> splitters = Map.of(
                "gpt2", forGguf("gpt2"), "smollm", forGguf("smollm"),
                "llama3", forGguf("llama-bpe"), "qwen2", forGguf("qwen2"));
        String json;
        try (InputStream in = getClass().getResourceAsStream("pretokenizer-vectors.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Object> cases = (List<Object>) ((Map<String, Object>) Json.parse(json)).get("cases");
        assertTrue(cases.size() > 250);
        for (Object o : cases) {
            Map<String, Object> c = (Map<String, Object>) o;
            String text = (String) c.get("text");
            splitters.forEach((name, splitter) ->
                    assertEquals(c.get(name), splitter.split(text), () -> name + ": " + LlamaCppVectors.escape(text)));
        }
    }

    private static PreTokenizer forGguf(String pre) {
        return new PreTokenizer(PreTokenizer.regexesForGgufPre(pre).orElseThrow());
    }

    @Test
    void refusesUnknownGgufNames() {
        assertTrue(PreTokenizer.regexesForGgufPre("no-such-model").isEmpty());
    }
}
