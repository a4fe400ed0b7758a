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
 * SentencePiece BPE on a real vocabulary: Mistral 7B v0.1's, which src/test/python/spm_vocab_fixture.py
 * writes as a vocabulary-only GGUF file, against llama.cpp's ids for the same file.
 */
class MistralSentencePieceTest {
    private static final String VECTORS = "mistral-v0.1-llamacpp-vectors.json";

    @Test
    void encodesLikeLlamaCpp(@TempDir Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("mistral-v0.1-vocab.gguf");
        LlamaCppVectors.runPython("spm_vocab_fixture.py", "gguf", file.toString());
        try (GgufFile gguf = GgufFile.open(file)) {
            Tokenizer tokenizer = Tokenizers.fromGguf(gguf);
            assertEquals(32000, tokenizer.vocabSize());
            assertEquals(1, tokenizer.bosId());
            assertEquals(2, tokenizer.eosId());
            assertTrue(tokenizer.addBos());
            assertEquals(Set.of(2), tokenizer.endOfGenerationIds());

            LlamaCppVectors.assertMatches(tokenizer, VECTORS);
            int checked = 0;
            for (LlamaCppVectors.Case c : LlamaCppVectors.read(VECTORS)) {
                // The one text that holds '▁' itself decodes it as a space, as SentencePiece does.
                if (!c.text().contains("\u2581")) {
                    assertEquals(c.text(), tokenizer.decode(c.ids()), () -> LlamaCppVectors.escape(c.text()));
                    checked++;
                }
            }
            assertTrue(checked > 250);
        }
    }
}
