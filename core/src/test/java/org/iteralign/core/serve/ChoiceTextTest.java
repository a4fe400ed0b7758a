package org.iteralign.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streamed answer text with the test model's real byte-level tokenizer. */
class ChoiceTextTest {
    private static EmbeddedChatModel model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        String path = System.getProperty("iteralign.testModel", "");
        assumeTrue(!path.isBlank() && Files.isRegularFile(Path.of(path)),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        model = EmbeddedChatModel.load("test-model", Path.of(path));
        tokenizer = model.tokenizer();
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    /** Feeds the tokens of {@code text}; returns the pieces released, the last one from finish(). */
    private static List<String> stream(ChoiceText choice, String text) {
        List<String> pieces = new ArrayList<>();
        for (int token : tokenizer.encode(text)) pieces.add(choice.accept(token));
        pieces.add(choice.finish());
        return pieces;
    }

    @Test
    void withoutStopsThePiecesAreTheTextAndNeverHalfACharacter() {
        String text = "Coffee ☕ and a rocket 🚀, naïvely.";
        assertTrue(tokenizer.encode("🚀").length > 1, "the emoji should span tokens for this test to mean anything");
        ChoiceText choice = new ChoiceText(tokenizer, List.of());

        List<String> pieces = stream(choice, text);

        assertEquals(text, String.join("", pieces));
        assertEquals(text, choice.text());
        assertTrue(pieces.stream().noneMatch(p -> p.contains("\uFFFD")), pieces.toString());
        assertFalse(choice.stopped());
        assertEquals(tokenizer.encode(text).length, choice.tokens());
    }

    @Test
    void aStopStringAcrossTokensIsNeverReleasedNorAnyPartOfIt() {
        String text = "The answer is 42. STOPPING now, and more text after.";
        ChoiceText choice = new ChoiceText(tokenizer, List.of("STOPPING"));

        List<String> pieces = stream(choice, text);

        assertEquals("The answer is 42. ", String.join("", pieces));
        assertTrue(choice.stopped());
        assertTrue(pieces.stream().noneMatch(p -> p.contains("S")), "not even the stop string's first letter: " + pieces);
        int[] upToStop = tokenizer.encode("The answer is 42. STOPPING");
        assertEquals(upToStop.length, choice.tokens(), "tokens count up to the one that completes the stop string");
        assertEquals("", choice.accept(tokenizer.encode(" more")[0]), "nothing after the stop");
    }

    @Test
    void aHeldBackStartIsReleasedOnceItCannotBeAStop() {
        String text = "Step one. STOP sign ahead. Step two.";
        ChoiceText choice = new ChoiceText(tokenizer, List.of("STOPPING", "two"));

        List<String> pieces = stream(choice, text);

        assertEquals("Step one. STOP sign ahead. Step ", String.join("", pieces));
        assertTrue(choice.stopped(), "the earliest stop string that occurs ends the text");
    }
}
