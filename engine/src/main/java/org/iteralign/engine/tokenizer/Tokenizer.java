package org.iteralign.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Text to token ids and back, matching llama.cpp's tokenizer for the same model file. Neither encode
 * method adds BOS: a caller that starts a sequence prepends {@link #bosId()} when {@link #addBos()} says
 * so, and a rendered chat template usually carries its own BOS text, which
 * {@link #encodeWithSpecials(String)} turns into the BOS id. Implementations are immutable and safe to
 * share between threads; {@link TokenStreamDecoder} is not.
 */
public interface Tokenizer {
    /** Tokenizes {@code text} as plain text: special-token text such as "<|im_start|>" is spelled out. */
    int[] encode(String text);

    /** Tokenizes {@code text} with special and control token text recognised as whole tokens. */
    int[] encodeWithSpecials(String text);

    /**
     * The bytes a token stands for. For byte-level vocabularies one token can hold part of a UTF-8
     * character, so pieces must be joined as bytes: see {@link #streamDecoder()}. Control tokens give
     * their own text.
     */
    byte[] tokenBytes(int id);

    /** The token's entry as the vocabulary stores it, e.g. "Ġworld" or "<|im_end|>". */
    String tokenText(int id);

    int bosId();

    int eosId();

    /** Whether the model expects BOS at the start of a sequence. */
    boolean addBos();

    /** Ids whose generation ends a turn: EOS and end-of-turn tokens such as {@code <|im_end|>}. */
    Set<Integer> endOfGenerationIds();

    int vocabSize();

    default String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(tokenBytes(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * One token's text on its own. A token holding part of a UTF-8 character decodes to U+FFFD here;
     * streaming output uses {@link #streamDecoder()}, which waits for the rest of the character.
     */
    default String decodePiece(int id) {
        return new String(tokenBytes(id), StandardCharsets.UTF_8);
    }

    /** A decoder for generated tokens that holds back incomplete UTF-8 characters until they complete. */
    default TokenStreamDecoder streamDecoder() {
        return new TokenStreamDecoder(this);
    }
}
