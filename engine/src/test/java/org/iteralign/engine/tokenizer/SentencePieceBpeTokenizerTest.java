package org.iteralign.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SentencePiece BPE on a hand-made vocabulary. No Llama 2 or Mistral GGUF is at hand, so the expected ids
 * are worked out from the algorithm as llama.cpp runs it: the pair whose merge is the best-scored token
 * goes first, the leftmost on a tie, and characters without a token fall back to {@code <0xNN>} bytes.
 */
class SentencePieceBpeTokenizerTest {
    private static final int BOS = 1;
    private static final int EOS = 2;
    private static final Tokenizer TOKENIZER = tokenizer();

    /** 0 unk, 1 &lt;s&gt;, 2 &lt;/s&gt;, 3..258 the byte tokens, then pieces with their scores. */
    static Tokenizer tokenizer() {
        List<String> texts = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<TokenType> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            texts.add(String.format("<0x%02X>", b));
            types.add(TokenType.BYTE);
            scores.add(0f);
        }
        String[] pieces = {"▁", "h", "e", "l", "o", "▁h", "he", "el", "ll", "hell", "▁hell", "a", "aa"};
        float[] pieceScores = {-1f, -2f, -2f, -2f, -2f, -1.0f, -0.9f, -0.8f, -0.5f, -0.3f, -0.2f, -2f, -1f};
        for (int i = 0; i < pieces.length; i++) {
            texts.add(pieces[i]);
            types.add(TokenType.NORMAL);
            scores.add(pieceScores[i]);
        }
        texts.add("▁hello");
        types.add(TokenType.NORMAL);
        scores.add(-0.1f);
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return new SentencePieceBpeTokenizer(new Vocabulary(texts, types), s,
                new SpecialTokens(BOS, EOS, true, Set.of(EOS)), true, 0);
    }

    private static int id(String piece) {
        for (int id = 0; id < TOKENIZER.vocabSize(); id++) {
            if (TOKENIZER.tokenText(id).equals(piece)) {
                return id;
            }
        }
        throw new AssertionError(piece);
    }

    @Test
    void mergesTheBestScoredPairFirst() {
        // ▁ h e l l o: "ll" (-0.5) beats "el" (-0.8), "he" (-0.9) and "▁h" (-1.0); then "he", which leaves
        // "el" stale; then "hell" (-0.3), "▁hell" (-0.2) and "▁hello" (-0.1).
        assertArrayEquals(new int[] {id("▁hello")}, TOKENIZER.encode("hello"));
    }

    @Test
    void equalScoresMergeLeftmostFirst() {
        assertArrayEquals(new int[] {id("▁"), id("aa"), id("a")}, TOKENIZER.encode("aaa"));
    }

    @Test
    void spellsUnknownCharactersAsBytes() {
        // é is C3 A9 in UTF-8; byte token ids are 3 + the byte.
        assertArrayEquals(new int[] {id("▁"), 3 + 0xC3, 3 + 0xA9}, TOKENIZER.encode("é"));
    }

    @Test
    void prefixesASpaceAtTheStartAndAfterEachSpecialToken() {
        assertArrayEquals(new int[] {BOS, id("▁hello"), EOS, id("▁hello")},
                TOKENIZER.encodeWithSpecials("<s>hello</s>hello"));
        assertArrayEquals(new int[] {id("▁"), 3 + '<', 3 + 's', 3 + '>'}, TOKENIZER.encode("<s>"));
        assertArrayEquals(new int[0], TOKENIZER.encode(""));
    }

    @Test
    void decodingDropsThePrefixedSpaces() {
        assertEquals("hello", TOKENIZER.decode(TOKENIZER.encode("hello")));
        assertEquals("<s>hello</s>hello", TOKENIZER.decode(TOKENIZER.encodeWithSpecials("<s>hello</s>hello")));
        assertEquals(" hello", TOKENIZER.decodePiece(id("▁hello")), "a piece on its own keeps its space");
        assertEquals("\n", TOKENIZER.decodePiece(3 + '\n'));
    }

    @Test
    void roundTripsRandomUnicode() {
        Random random = new Random(11);
        for (int i = 0; i < 300; i++) {
            String text = RandomText.of(random, random.nextInt(40));
            assertEquals(text, TOKENIZER.decode(TOKENIZER.encode(text)));
        }
    }
}
