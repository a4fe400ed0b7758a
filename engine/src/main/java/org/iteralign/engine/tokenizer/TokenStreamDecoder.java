package org.iteralign.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of generated tokens into text as soon as whole characters are known. A byte-level token
 * may end in the middle of a multi-byte UTF-8 character (an emoji is often two or three tokens); those
 * bytes wait here for the token that completes them. Not thread-safe: one per generated sequence.
 */
public final class TokenStreamDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[0];

    TokenStreamDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text that token {@code id} completes; empty while a character is still unfinished. */
    public String next(int id) {
        byte[] piece = tokenizer.tokenBytes(id);
        byte[] bytes = Arrays.copyOf(pending, pending.length + piece.length);
        System.arraycopy(piece, 0, bytes, pending.length, piece.length);
        int complete = completePrefix(bytes);
        pending = Arrays.copyOfRange(bytes, complete, bytes.length);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is still held back, with U+FFFD for an unfinished character; the decoder is then empty. */
    public String flush() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return rest;
    }

    /**
     * Length of the prefix that ends on a character boundary. Only a lead byte in the last three
     * positions whose sequence runs past the end is held back; malformed bytes pass on (as U+FFFD)
     * rather than stall the stream.
     */
    static int completePrefix(byte[] bytes) {
        int n = bytes.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if (b < 0x80) {
                return n;
            }
            if (b >= 0xC0) {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return length > back && b < 0xF8 ? n - back : n;
            }
        }
        return n;
    }

    /** Whether bytes of an unfinished character are held back. */
    public boolean hasPending() {
        return pending.length > 0;
    }
}
