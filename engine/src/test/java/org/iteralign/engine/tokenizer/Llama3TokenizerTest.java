package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.iteralign.engine.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama 3's tokenizer (the Llama 3.2 vocabulary that src/test/python/llama3_vocab_fixture.py provides),
 * read both from a vocabulary-only GGUF file and from its tokenizer.json, against llama.cpp's ids.
 */
class Llama3TokenizerTest {
    private static final String VECTORS = "llama3.2-llamacpp-vectors.json";

    @Test
    void ggufEncodesLikeLlamaCpp(@TempDir Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("llama3.2-vocab.gguf");
        LlamaCppVectors.runPython("llama3_vocab_fixture.py", "gguf", file.toString());
        try (GgufFile gguf = GgufFile.open(file)) {
            Tokenizer tokenizer = Tokenizers.fromGguf(gguf);
            assertSpecials(tokenizer);
            LlamaCppVectors.assertMatches(tokenizer, VECTORS);
            for (LlamaCppVectors.Case c : LlamaCppVectors.read(VECTORS)) {
                assertEquals(c.text(), tokenizer.decode(c.ids()), () -> LlamaCppVectors.escape(c.text()));
            }
        }
    }

    @Test
    void tokenizerJsonEncodesLikeLlamaCpp(@TempDir Path dir) throws IOException, InterruptedException {
        LlamaCppVectors.runPython("llama3_vocab_fixture.py", "json", dir.toString());
        Tokenizer tokenizer = Tokenizers.fromTokenizerJson(dir);
        assertSpecials(tokenizer);
        LlamaCppVectors.assertMatches(tokenizer, VECTORS);
    }

    private static void assertSpecials(Tokenizer tokenizer) {
        assertEquals(128257, tokenizer.vocabSize(), "Llama 3.2 adds <|image|> after the 256 reserved tokens");
        assertEquals(128000, tokenizer.bosId());
        assertEquals(128001, tokenizer.eosId());
        assertTrue(tokenizer.addBos());
        assertEquals(Set.of(128001, 128008, 128009), tokenizer.endOfGenerationIds(), "end_of_text, eom_id, eot_id");
    }
}
