package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenStreamDecoderTest {
    private static int complete(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return TokenStreamDecoder.completePrefix(b);
    }

    @Test
    void holdsBackOnlyAnUnfinishedLastCharacter() {
        assertEquals(0, complete());
        assertEquals(2, complete('a', 'b'));
        assertEquals(1, complete('a', 0xC3));
        assertEquals(3, complete('a', 0xC3, 0xA9));
        assertEquals(1, complete('a', 0xF0, 0x9F, 0x9A));
        assertEquals(5, complete('a', 0xF0, 0x9F, 0x9A, 0x80));
        assertEquals(1, complete('a', 0xE4, 0xB8));
    }

    @Test
    void letsMalformedBytesThrough() {
        assertEquals(2, complete('a', 0x80), "a stray continuation byte completes nothing later");
        assertEquals(2, complete('a', 0xFF), "0xFF never starts a character");
        assertEquals(4, complete(0x80, 0x80, 0x80, 0x80));
    }
}
