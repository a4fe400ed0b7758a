package org.iteralign.engine.tokenizer;

/** The kinds of vocabulary entry, numbered as GGUF's {@code tokenizer.ggml.token_type} numbers them. */
enum TokenType {
    /** Ordinary text, produced by the merges. */
    NORMAL,
    /** The unknown token. */
    UNKNOWN,
    /** A control token such as {@code <|im_start|>}: only ever produced from text when specials are parsed. */
    CONTROL,
    /** An added token that is cut out of plain text too (Hugging Face's non-special added tokens). */
    USER_DEFINED,
    /** A placeholder that no text produces. */
    UNUSED,
    /** A SentencePiece byte-fallback token such as {@code <0x0A>}. */
    BYTE;

    /** GGUF numbers the kinds from 1; 0 (undefined) and unknown numbers are read as normal text. */
    static TokenType fromGguf(int code) {
        return switch (code) {
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> NORMAL;
        };
    }
}
