package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.iteralign.engine.gguf.GgufFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Llama 3.2's and Qwen3's real vocabularies (Qwen3 shares Qwen2/2.5's BPE and pre-tokenizer), which
 * src/test/python/hf_vocab_fixture.py provides both as vocabulary-only GGUF files and as tokenizer.json:
 * the GGUF path against llama.cpp's ids, the tokenizer.json path against Hugging Face's.
 */
class HfVocabularyTest {
    record Model(String name, int vocabSize, int ggufBos, int jsonBos, int eos, boolean addBos, Set<Integer> eog) {
        String vectors() {
            return name + "-vectors.json";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Model> models() {
        return Stream.of(
                // Llama 3.2 adds <|image|> after its 256 reserved tokens; it ends turns with eot_id/eom_id.
                new Model("llama3.2", 128257, 128000, 128000, 128001, true, Set.of(128001, 128008, 128009)),
                // Qwen names no BOS in tokenizer_config.json; its GGUF files use <|endoftext|>. llama.cpp also
                // stops at "</s>" (an ordinary token here) and at the fill-in-the-middle pad, repo and file
                // separator tokens.
                new Model("qwen3", 151669, 151643, -1, 151645, false,
                        Set.of(128247, 151643, 151645, 151662, 151663, 151664)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void ggufEncodesLikeLlamaCpp(Model model, @TempDir Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve(model.name() + "-vocab.gguf");
        LlamaCppVectors.runPython("hf_vocab_fixture.py", model.name(), "gguf", file.toString());
        try (GgufFile gguf = GgufFile.open(file)) {
            Tokenizer tokenizer = Tokenizers.fromGguf(gguf);
            assertSpecials(model, model.ggufBos(), tokenizer);
            LlamaCppVectors.assertMatches(tokenizer, model.vectors());
            for (LlamaCppVectors.Case c : LlamaCppVectors.read(model.vectors())) {
                assertEquals(c.text(), tokenizer.decode(c.ids()), () -> LlamaCppVectors.escape(c.text()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void tokenizerJsonEncodesLikeHuggingFace(Model model, @TempDir Path dir) throws IOException, InterruptedException {
        LlamaCppVectors.runPython("hf_vocab_fixture.py", model.name(), "json", dir.toString());
        Tokenizer tokenizer = Tokenizers.fromTokenizerJson(dir);
        assertSpecials(model, model.jsonBos(), tokenizer);
        LlamaCppVectors.assertMatches(tokenizer, LlamaCppVectors.read(model.vectors(), "hf_ids", "hf_ids_special"));
    }

    /** The end-of-generation sets are what llama.cpp's llama_vocab_is_eog gives for the GGUF files. */
    private static void assertSpecials(Model model, int bos, Tokenizer tokenizer) {
        assertEquals(model.vocabSize(), tokenizer.vocabSize());
        assertEquals(bos, tokenizer.bosId());
        assertEquals(model.eos(), tokenizer.eosId());
        assertEquals(model.addBos(), tokenizer.addBos());
        assertEquals(model.eog(), tokenizer.endOfGenerationIds());
    }
}
