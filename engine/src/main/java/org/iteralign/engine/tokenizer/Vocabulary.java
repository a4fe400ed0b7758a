package org.iteralign.engine.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Token texts as the model file stores them, with their kinds and a reverse index. */
final class Vocabulary {
    private final String[] texts;
    private final TokenType[] types;
    private final Map<String, Integer> ids;

    Vocabulary(List<String> texts, List<TokenType> types) {
        if (texts.size() != types.size()) {
            throw new IllegalArgumentException(texts.size() + " tokens but " + types.size() + " token types");
        }
        this.texts = texts.toArray(String[]::new);
        this.types = types.toArray(TokenType[]::new);
        this.ids = HashMap.newHashMap(texts.size());
        for (int id = 0; id < this.texts.length; id++) {
            // The first of duplicate texts wins, as in llama.cpp's token_to_id map.
            ids.putIfAbsent(this.texts[id], id);
        }
    }

    int size() {
        return texts.length;
    }

    String text(int id) {
        return texts[id];
    }

    TokenType type(int id) {
        return types[id];
    }

    /** The id of {@code text}, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + texts.length);
        }
    }
}
