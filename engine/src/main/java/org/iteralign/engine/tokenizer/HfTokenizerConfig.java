package org.iteralign.engine.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.iteralign.engine.ModelFormatException;

/**
 * What a Hugging Face tokenizer_config.json says beside tokenizer.json: the BOS and EOS token texts,
 * whether BOS is added, and the chat template.
 */
public record HfTokenizerConfig(Optional<String> bosToken, Optional<String> eosToken, Optional<Boolean> addBosToken,
                                Optional<String> chatTemplate) {

    public static HfTokenizerConfig empty() {
        return new HfTokenizerConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Reads {@code file}; a missing file reads as {@link #empty()}. */
    public static HfTokenizerConfig read(Path file) {
        if (!Files.exists(file)) {
            return empty();
        }
        Map<String, Object> json = Tokenizers.readJsonObject(file);
        try {
            return new HfTokenizerConfig(tokenText(json.get("bos_token")), tokenText(json.get("eos_token")),
                    Optional.ofNullable((Boolean) json.get("add_bos_token")), chatTemplate(json.get("chat_template")));
        } catch (ClassCastException e) {
            throw new ModelFormatException(file, "unexpected value type: " + e.getMessage());
        }
    }

    /** Special tokens are written either as their text or as an added-token object with "content". */
    private static Optional<String> tokenText(Object value) {
        if (value instanceof Map<?, ?> token) {
            return Optional.ofNullable((String) token.get("content"));
        }
        return Optional.ofNullable((String) value);
    }

    /** Either one template or a list of named ones, of which "default" is the chat template. */
    private static Optional<String> chatTemplate(Object value) {
        if (value instanceof List<?> named) {
            return named.stream()
                    .map(t -> (Map<?, ?>) t)
                    .filter(t -> "default".equals(t.get("name")))
                    .map(t -> (String) t.get("template"))
                    .findFirst();
        }
        return Optional.ofNullable((String) value);
    }
}
