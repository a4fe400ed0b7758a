package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import org.iteralign.engine.gguf.GgufFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The byte-level BPE tokenizer of the real test model against llama.cpp's ids, recorded by
 * src/test/python/tokenizer_vectors.py into smollm2-llamacpp-vectors.json.
 */
class SmolLm2TokenizerTest {
    static final String VECTORS = "smollm2-llamacpp-vectors.json";

    private static Tokenizer tokenizer;

    @BeforeAll
    static void open() {
        // The tokenizer copies what it needs, so the file can be closed at once.
        try (GgufFile gguf = GgufFile.open(LlamaCppVectors.testModel())) {
            tokenizer = Tokenizers.fromGguf(gguf);
        }
    }

    @Test
    void encodesLikeLlamaCpp() throws IOException {
        LlamaCppVectors.assertMatches(tokenizer, VECTORS);
    }

    @Test
    void decodesEveryCaseBackToItsText() throws IOException {
        int checked = 0;
        for (LlamaCppVectors.Case c : LlamaCppVectors.read(VECTORS)) {
            if (spellable(c.text())) {
                assertEquals(c.text(), tokenizer.decode(c.ids()));
                assertEquals(c.text(), tokenizer.decode(c.idsSpecial()));
                checked++;
            }
        }
        assertTrue(checked > 200, "only " + checked + " cases checked");
    }

    /** False for text with a byte that SmolLM2's vocabulary lacks (0x04, 0xF1, ...): it is dropped. */
    private static boolean spellable(String text) {
        boolean[] present = new boolean[256];
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String token = tokenizer.tokenText(id);
            if (token.length() == 1 && ByteLevel.byteOf(token.charAt(0)) >= 0) {
                present[ByteLevel.byteOf(token.charAt(0))] = true;
            }
        }
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (!present[b & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void specialIdsComeFromTheMetadata() {
        assertEquals(49152, tokenizer.vocabSize());
        assertEquals(1, tokenizer.bosId());
        assertEquals(2, tokenizer.eosId());
        assertFalse(tokenizer.addBos());
        // As llama.cpp's llama_vocab_is_eog: <|endoftext|>, <|im_end|> and the fill-in-the-middle <reponame>.
        assertEquals(Set.of(0, 2, 4), tokenizer.endOfGenerationIds());
        assertEquals("<|im_end|>", tokenizer.tokenText(2));
        assertEquals("<|im_end|>", tokenizer.decodePiece(2));
    }

    @Test
    void roundTripsRandomUnicode() {
        Random random = new Random(42);
        int checked = 0;
        while (checked < 300) {
            String text = RandomText.of(random, 1 + random.nextInt(60));
            if (spellable(text)) {
                assertEquals(text, tokenizer.decode(tokenizer.encode(text)), () -> LlamaCppVectors.escape(text));
                checked++;
            }
        }
    }

    @Test
    void streamsEmojiSplitAcrossTokens() {
        String text = "Fusée 🚀 au 月 🧑‍🚀!";
        int[] ids = tokenizer.encode(text);
        TokenStreamDecoder stream = tokenizer.streamDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String piece = stream.next(id);
            assertFalse(piece.contains("\uFFFD"), "a partial character leaked: " + LlamaCppVectors.escape(piece));
            out.append(piece);
        }
        out.append(stream.flush());
        assertEquals(text, out.toString());
    }
}
