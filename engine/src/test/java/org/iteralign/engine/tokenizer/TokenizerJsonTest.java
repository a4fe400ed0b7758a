package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.iteralign.engine.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face tokenizer.json and its companion files. */
class TokenizerJsonTest {
    private static final String VOCAB = """
            {"h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "he": 5, "ll": 6, "hell": 7, "hello": 8, "Ġhello": 9,
             "1": 13, "2": 14}""";

    private static String tokenizerJson(String merges, String preTokenizer) {
        return """
                {"version": "1.0",
                 "added_tokens": [
                   {"id": 10, "content": "<|eot|>", "special": true, "normalized": false},
                   {"id": 11, "content": "<x>", "special": false, "normalized": false},
                   {"id": 12, "content": "<s>", "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": %s,
                 "post_processor": null,
                 "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "dropout": null, "ignore_merges": false, "vocab": %s, "merges": %s}}
                """.formatted(preTokenizer, VOCAB, merges);
    }

    private static final String BYTE_LEVEL = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true}";

    private static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void readsMergesWrittenAsStrings(@TempDir Path dir) throws IOException {
        write(dir, "tokenizer.json", tokenizerJson("[\"h e\", \"l l\", \"he ll\", \"hell o\", \"Ġ hello\"]", BYTE_LEVEL));
        Tokenizer tokenizer = Tokenizers.fromTokenizerJson(dir.resolve("tokenizer.json"));
        assertArrayEquals(new int[] {8, 9}, tokenizer.encode("hello hello"));
        assertEquals("hello hello", tokenizer.decode(new int[] {8, 9}));
    }

    @Test
    void readsMergesWrittenAsPairsAndTheCompanionFiles(@TempDir Path dir) throws IOException {
        write(dir, "tokenizer.json", tokenizerJson(
                "[[\"h\", \"e\"], [\"l\", \"l\"], [\"he\", \"ll\"], [\"hell\", \"o\"], [\"Ġ\", \"hello\"]]", BYTE_LEVEL));
        write(dir, "tokenizer_config.json", """
                {"bos_token": {"content": "<s>", "special": true}, "eos_token": "<|eot|>", "add_bos_token": true,
                 "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}"}""");
        write(dir, "generation_config.json", "{\"eos_token_id\": [10, 11]}");
        Tokenizer tokenizer = Tokenizers.fromTokenizerJson(dir);
        assertArrayEquals(new int[] {8, 9, 10}, tokenizer.encodeWithSpecials("hello hello<|eot|>"));
        assertArrayEquals(new int[] {5, 11, 8}, tokenizer.encode("he<x>hello"), "non-special added tokens are always cut");
        assertEquals(12, tokenizer.bosId());
        assertEquals(10, tokenizer.eosId());
        assertTrue(tokenizer.addBos());
        assertEquals(Set.of(10, 11), tokenizer.endOfGenerationIds());
        assertEquals(15, tokenizer.vocabSize());

        HfTokenizerConfig config = HfTokenizerConfig.read(dir.resolve("tokenizer_config.json"));
        assertEquals(Optional.of("<s>"), config.bosToken());
        assertTrue(config.chatTemplate().orElseThrow().startsWith("{{ bos_token }}"));
    }

    @Test
    void splitsDigitsFirstInASequence(@TempDir Path dir) throws IOException {
        String pre = "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\", \"individual_digits\": true}, "
                + BYTE_LEVEL + "]}";
        write(dir, "tokenizer.json", tokenizerJson("[\"h e\", \"l l\", \"he ll\", \"hell o\", \"Ġ hello\", \"1 2\"]", pre));
        Tokenizer tokenizer = Tokenizers.fromTokenizerJson(dir);
        // "12" is a vocabulary entry, yet never formed: the digits are separate words.
        assertArrayEquals(new int[] {13, 14, 9}, tokenizer.encode("12 hello"));
    }

    @Test
    void takesBosFromATemplatePostProcessorWhenTheConfigIsSilent(@TempDir Path dir) throws IOException {
        String json = tokenizerJson("[]", BYTE_LEVEL).replace("\"post_processor\": null", """
                "post_processor": {"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "TemplateProcessing",
                  "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]}]}""");
        write(dir, "tokenizer.json", json);
        write(dir, "tokenizer_config.json", "{\"bos_token\": \"<s>\", \"eos_token\": \"<|eot|>\"}");
        assertTrue(Tokenizers.fromTokenizerJson(dir).addBos());
    }

    @Test
    void refusesWhatItCannotRun(@TempDir Path dir) throws IOException {
        write(dir, "tokenizer.json", tokenizerJson("[]", "{\"type\": \"Metaspace\", \"replacement\": \"▁\"}"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromTokenizerJson(dir));
        assertTrue(e.getMessage().contains("Metaspace"), e.getMessage());

        write(dir, "tokenizer.json", "{\"model\": {\"type\": \"Unigram\"}}");
        e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromTokenizerJson(dir));
        assertTrue(e.getMessage().contains("Unigram"), e.getMessage());

        write(dir, "tokenizer.json", "{\"model\": ");
        e = assertThrows(ModelFormatException.class, () -> Tokenizers.fromTokenizerJson(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json").toString()), e.getMessage());
    }

    /**
     * The real model's vocabulary, written as tokenizer.json by the `tokenizers` library itself
     * (src/test/python/gguf_to_tokenizer_json.py), tokenizes exactly as llama.cpp does.
     */
    @Test
    void realTokenizerJsonMatchesLlamaCpp(@TempDir Path dir) throws IOException, InterruptedException {
        Path model = LlamaCppVectors.testModel();
        LlamaCppVectors.runPython("gguf_to_tokenizer_json.py", model.toString(), dir.toString());
        Tokenizer tokenizer = Tokenizers.fromTokenizerJson(dir.resolve("tokenizer.json"));
        LlamaCppVectors.assertMatches(tokenizer, SmolLm2TokenizerTest.VECTORS);
        assertEquals(1, tokenizer.bosId());
        assertEquals(2, tokenizer.eosId());
        assertEquals(Set.of(0, 2, 4), tokenizer.endOfGenerationIds());
    }
}
