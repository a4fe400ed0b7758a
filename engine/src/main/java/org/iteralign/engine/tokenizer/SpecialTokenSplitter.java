package org.iteralign.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts special-token text out of a string before BPE, as llama.cpp does: each special token in turn,
 * longest first, is cut out of every text fragment still left, so a longer token wins over one it
 * contains. User-defined tokens are always cut; control tokens and the unknown token only when
 * specials are parsed.
 */
final class SpecialTokenSplitter {
    /** A piece of the input: either text still to be tokenized or one special token. */
    sealed interface Fragment permits Text, Special {}

    record Text(String text) implements Fragment {}

    record Special(int id) implements Fragment {}

    private final List<String> texts = new ArrayList<>();
    private final List<Integer> ids = new ArrayList<>();

    SpecialTokenSplitter(Vocabulary vocabulary, boolean parseControl) {
        List<Integer> candidates = new ArrayList<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            TokenType type = vocabulary.type(id);
            boolean cut = type == TokenType.USER_DEFINED
                    || (parseControl && (type == TokenType.CONTROL || type == TokenType.UNKNOWN));
            if (cut && !vocabulary.text(id).isEmpty()) {
                candidates.add(id);
            }
        }
        // Longest first in UTF-8 bytes, as llama.cpp orders them (its tie order is unspecified; ids here).
        candidates.sort(Comparator.comparingInt((Integer id) -> utf8Length(vocabulary.text(id))).reversed()
                .thenComparingInt(id -> id));
        for (int id : candidates) {
            ids.add(id);
            texts.add(vocabulary.text(id));
        }
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    List<Fragment> split(String text) {
        List<Fragment> fragments = new ArrayList<>();
        if (!text.isEmpty()) {
            fragments.add(new Text(text));
        }
        for (int i = 0; i < texts.size(); i++) {
            String token = texts.get(i);
            List<Fragment> next = new ArrayList<>(fragments.size());
            for (Fragment fragment : fragments) {
                if (fragment instanceof Text(String piece) && piece.contains(token)) {
                    cut(piece, token, ids.get(i), next);
                } else {
                    next.add(fragment);
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private static void cut(String piece, String token, int id, List<Fragment> out) {
        int from = 0;
        int at;
        while ((at = piece.indexOf(token, from)) >= 0) {
            if (at > from) {
                out.add(new Text(piece.substring(from, at)));
            }
            out.add(new Special(id));
            from = at + token.length();
        }
        if (from < piece.length()) {
            out.add(new Text(piece.substring(from)));
        }
    }
}
