package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Byte-level BPE on a vocabulary small enough to work the expected ids out by hand. */
class ByteLevelBpeTokenizerTest {
    private static final List<String> MERGES = List.of("l l", "h e", "he ll", "Ġ w", "hell o");
    private static final Tokenizer TOKENIZER = tokenizer();

    /** Id b (0..255) is byte b in GPT-2's alphabet; merged tokens and specials follow. */
    static Tokenizer tokenizer() {
        List<String> texts = new ArrayList<>();
        List<TokenType> types = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            texts.add(String.valueOf(ByteLevel.charOf(b)));
            types.add(TokenType.NORMAL);
        }
        for (String text : List.of("ll", "he", "hell", "Ġw", "hello")) {
            texts.add(text);
            types.add(TokenType.NORMAL);
        }
        texts.add("<|end|>");
        types.add(TokenType.CONTROL);
        texts.add("<|end|><|end|>");
        types.add(TokenType.CONTROL);
        texts.add("<tool>");
        types.add(TokenType.USER_DEFINED);
        Vocabulary vocabulary = new Vocabulary(texts, types);
        return new ByteLevelBpeTokenizer(vocabulary, new SpecialTokens(-1, 261, false, Set.of(261)), MERGES,
                new PreTokenizer(List.of(PreTokenizer.GPT2)), false, false);
    }

    private static final int LL = 256;
    private static final int HE = 257;
    private static final int HELL = 258;
    private static final int SPACE_W = 259;
    private static final int HELLO = 260;
    private static final int END = 261;
    private static final int END_END = 262;
    private static final int TOOL = 263;

    @Test
    void mergesByRankUntilNoneApplies() {
        // h e l l o -> h e ll o (rank 0) -> he ll o (1) -> hell o (2) -> hello (4)
        assertArrayEquals(new int[] {HELLO}, TOKENIZER.encode("hello"));
        // " w" merges inside one pre-tokenized word; "orld" has no merges and stays bytes.
        assertArrayEquals(new int[] {HELLO, SPACE_W, 'o', 'r', 'l', 'd'}, TOKENIZER.encode("hello world"));
    }

    @Test
    void equalRanksMergeLeftmostFirst() {
        assertArrayEquals(new int[] {LL, 'l'}, TOKENIZER.encode("lll"));
        assertArrayEquals(new int[] {LL, LL}, TOKENIZER.encode("llll"));
    }

    @Test
    void mergesNeverCrossWordBoundaries() {
        // "he" and " ll" are separate words, so "hell" cannot form; "Ġ l" is no merge.
        assertArrayEquals(new int[] {HE, ' ', LL}, TOKENIZER.encode("he ll"));
    }

    @Test
    void controlTokensAreTextUnlessSpecialsAreParsed() {
        int[] plain = TOKENIZER.encode("<|end|>");
        assertEquals(7, plain.length);
        assertArrayEquals(new int[] {HELLO, END}, TOKENIZER.encodeWithSpecials("hello<|end|>"));
        assertArrayEquals(new int[] {END_END, END}, TOKENIZER.encodeWithSpecials("<|end|><|end|><|end|>"),
                "the longer special token is cut first");
    }

    @Test
    void userDefinedTokensAreAlwaysWholeTokens() {
        assertArrayEquals(new int[] {HE, TOOL, HELLO}, TOKENIZER.encode("he<tool>hello"));
    }

    @Test
    void emptyTextHasNoTokens() {
        assertArrayEquals(new int[0], TOKENIZER.encode(""));
        assertArrayEquals(new int[0], TOKENIZER.encodeWithSpecials(""));
    }

    @Test
    void decodesBytesBack() {
        assertEquals("hello world", TOKENIZER.decode(TOKENIZER.encode("hello world")));
        assertEquals("hello<|end|>", TOKENIZER.decode(new int[] {HELLO, END}));
        assertEquals(" ", TOKENIZER.decodePiece(' '));
    }

    @Test
    void roundTripsRandomUnicodeOnAFullByteAlphabet() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            String text = RandomText.of(random, random.nextInt(50));
            assertEquals(text, TOKENIZER.decode(TOKENIZER.encode(text)));
        }
    }

    @Test
    void streamDecoderWaitsForTheRestOfACharacter() {
        String text = "é🚀x";
        int[] ids = TOKENIZER.encode(text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length, "one byte token per byte here");
        TokenStreamDecoder stream = TOKENIZER.streamDecoder();
        assertEquals("", stream.next(ids[0]));
        assertTrue(stream.hasPending());
        assertEquals("é", stream.next(ids[1]));
        assertEquals("", stream.next(ids[2]));
        assertEquals("", stream.next(ids[3]));
        assertEquals("", stream.next(ids[4]));
        assertEquals("🚀", stream.next(ids[5]));
        assertEquals("x", stream.next(ids[6]));
        assertFalse(stream.hasPending());
        assertEquals("\uFFFD", TOKENIZER.decodePiece(ids[0]), "a lone lead byte on its own");
    }

    @Test
    void streamDecoderFlushesAnUnfinishedCharacter() {
        TokenStreamDecoder stream = TOKENIZER.streamDecoder();
        assertEquals("", stream.next(TOKENIZER.encode("🚀")[0]));
        assertEquals("\uFFFD", stream.flush());
        assertFalse(stream.hasPending());
    }

    @Test
    void exposesItsSpecialIds() {
        assertEquals(264, TOKENIZER.vocabSize());
        assertEquals(END, TOKENIZER.eosId());
        assertEquals(Set.of(END), TOKENIZER.endOfGenerationIds());
        assertEquals("Ġw", TOKENIZER.tokenText(SPACE_W));
    }
}
